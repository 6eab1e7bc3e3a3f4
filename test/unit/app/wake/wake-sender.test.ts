import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_WAKE_PORTS, sendWakePackets, wakeTargets } from '../../../../src/app/wake/wake-sender.ts';
import { buildMagicPacket } from '../../../../src/app/wake/magic-packet.ts';
import { createRecordingSockets } from '../hosts/memory-platform.fake.ts';
import { startServices } from '../hosts/services-harness.fake.ts';

const MAC_HEX = '001a2b3c4d5e';
const PACKET_HEX = 'ffffffffffff' + MAC_HEX.repeat(16);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('targets: each address and the broadcast address on ports 9, 47009 and the shifted GameStream ports', () => {
  const targets = wakeTargets(['10.0.0.7'], 48989, DEFAULT_WAKE_PORTS).map((t) => `${t.host}:${t.port}`);
  const ports = [9, 47009, 48998, 48999, 49000, 49002, 49010];
  assert.deepEqual(targets, [...ports.map((p) => `10.0.0.7:${p}`), ...ports.map((p) => `255.255.255.255:${p}`)]);
});

test('targets: with the default HTTP port the dynamic ports are unshifted, and repeats are dropped', () => {
  const targets = wakeTargets(['pc', 'pc'], 47989, { staticPorts: [9], dynamicPorts: [47998, 9 + 0], broadcastAddresses: [] });
  assert.deepEqual(targets, [{ host: 'pc', port: 9 }, { host: 'pc', port: 47998 }]);
});

test('targets: shifted ports outside 1..65535 are left out', () => {
  const targets = wakeTargets(['pc'], 1029, { staticPorts: [], dynamicPorts: [9, 48010], broadcastAddresses: [] });
  assert.deepEqual(targets, [{ host: 'pc', port: 48010 - (47989 - 1029) }]);
});

test('IPv6 targets go through an IPv6 socket and the rest through an IPv4 socket, both with broadcast allowed', async () => {
  const sockets = createRecordingSockets();
  const packet = buildMagicPacket(Uint8Array.from(Buffer.from(MAC_HEX, 'hex')));
  const r = await sendWakePackets(sockets, packet, [{ host: 'fe80::1', port: 9 }, { host: '10.0.0.7', port: 9 }]);
  assert.ok(r.ok);
  assert.deepEqual(sockets.sent.map((s) => [s.host, s.family, s.broadcast]), [['10.0.0.7', 4, true], ['fe80::1', 6, true]]);
});

test('wake() sends the host MAC to the host, its LAN address and the broadcast address', async () => {
  const h = startServices({ wakePorts: { staticPorts: [9], dynamicPorts: [47998], broadcastAddresses: ['255.255.255.255'] } });
  h.scripted.add('gaming-pc', { uniqueId: 'pc', mac: '00:1a:2b:3c:4d:5e', localIp: '192.168.1.20' });
  assert.ok((await h.services.addHost('gaming-pc')).ok);
  const handle = await h.services.pair('pc', '1234');
  assert.ok(handle.ok);
  h.scripted.enterPin('gaming-pc', '1234');
  assert.ok((await handle.value.done).ok);
  assert.equal((await h.host('pc')).canWake, true);

  assert.deepEqual(await h.services.wake('pc'), { ok: true, value: undefined });
  const sent = h.platform.sockets.sent;
  assert.deepEqual(sent.map((s) => `${s.host}:${s.port}`), [
    'gaming-pc:9', 'gaming-pc:47998', '192.168.1.20:9', '192.168.1.20:47998', '255.255.255.255:9', '255.255.255.255:47998',
  ]);
  for (const s of sent) assert.equal(hex(s.bytes), PACKET_HEX);
});

test('wake() on a host whose MAC was never learnt fails with no-mac and sends nothing', async () => {
  const h = startServices();
  h.scripted.add('gaming-pc', { uniqueId: 'pc' });
  assert.ok((await h.services.addHost('gaming-pc')).ok);
  assert.deepEqual(await h.services.wake('pc'), { ok: false, error: { kind: 'no-mac' } });
  assert.equal(h.platform.sockets.sent.length, 0);
});
