import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { sendWakePackets, wakeTargets } from '../../../../src/app/wake/wake-sender.ts';
import { buildMagicPacket } from '../../../../src/app/wake/magic-packet.ts';
import { createNodePlatform } from '../../../../src/platform/node/node-platform.ts';

const MAC_HEX = '001a2b3c4d5e';
const PACKET_HEX = 'ffffffffffff' + MAC_HEX.repeat(16);

test('a UDP socket on loopback receives the magic packet sent through the Node platform', async () => {
  const receiver = createSocket('udp4');
  const stateDir = mkdtempSync(join(tmpdir(), 'wake-'));
  try {
    receiver.bind(0, '127.0.0.1');
    await once(receiver, 'listening');
    const port = receiver.address().port;
    const platform = createNodePlatform({ stateDir });
    const packet = buildMagicPacket(Uint8Array.from(Buffer.from(MAC_HEX, 'hex')));
    const targets = wakeTargets(['127.0.0.1'], 47989, { staticPorts: [port], dynamicPorts: [], broadcastAddresses: [] });
    const arrived = once(receiver, 'message') as Promise<[Buffer]>;
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no datagram within 5 s')), 5000).unref());
    assert.deepEqual(await sendWakePackets(platform.sockets, packet, targets), { ok: true, value: undefined });
    const [message] = await Promise.race([arrived, timeout]);
    assert.equal(message.toString('hex'), PACKET_HEX);
  } finally {
    receiver.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
