// The simulated host against the recorded Sunshine sessions (shared/captures/): the client's
// side of each capture (pings and ENet) is replayed into the stream core on the capture's
// clock, with the launch key and values of that session. The host must take every client
// control message exactly as control-messages.jsonl records it, learn the client's ports from
// the pings, and answer the connect and send its HDR message byte for byte as Sunshine did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openControlEnvelope } from '../../hostsim/control-envelope.ts';
import { parseEnetDatagram, type EnetCommand } from '../../hostsim/enet-wire.ts';
import type { StreamSession, StreamSessionEvent } from '../../hostsim/stream-session.ts';
import { createStreamHarness } from './stream-harness.ts';
import { announcedStreamFor, launchSessionFor } from './stream-fixtures.ts';
import { CONTROL_CAPTURES, loadControlCapture, type ControlCapture, type UdpDatagram } from './udp-capture.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const CLIENT = '127.0.0.1';

interface Replay {
  session: StreamSession;
  events: StreamSessionEvent[];
  hostControl: Uint8Array[];
  stats: ReturnType<ReturnType<typeof createStreamHarness>['core']['stats']>;
}

/**
 * Our clock runs a little ahead of the recorded host's, so that every sent time the client
 * echoes (the recorded host's) lies in our past, as it would for the host that sent it.
 */
function replay(capture: ControlCapture): Replay {
  const firstHostSentTime = capture.datagrams.find((d) => d.srcPort === capture.hostPorts.control && (d.payload[0] ?? 0) >= 0x80);
  assert.ok(firstHostSentTime !== undefined);
  const recordedSentTime = new DataView(firstHostSentTime.payload.buffer, firstHostSentTime.payload.byteOffset).getUint16(2);
  const baseMs = 0x100000 + recordedSentTime - Math.floor(firstHostSentTime.timeMs) + CLOCK_LEAD_MS;
  const first = capture.datagrams[0];
  assert.ok(first !== undefined);
  const h = createStreamHarness({ startMs: baseMs + first.timeMs });
  const session = h.core.startStream(launchSessionFor({ rikey: capture.rikey, connectData: capture.connectData, pingPayload: capture.pingPayload }), announcedStreamFor(), CLIENT);
  const events: StreamSessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  const toHost = capture.datagrams.filter((d) => [capture.hostPorts.video, capture.hostPorts.audio, capture.hostPorts.control].includes(d.dstPort));
  for (const d of toHost) {
    h.advanceTo(baseMs + d.timeMs);
    h.core.receive(portOf(capture, d), { address: CLIENT, port: d.srcPort }, d.payload);
  }
  return { session, events, hostControl: h.sent.filter((s) => s.port === 'control').map((s) => s.bytes), stats: h.core.stats() };
}

function portOf(capture: ControlCapture, d: UdpDatagram): 'video' | 'audio' | 'control' {
  if (d.dstPort === capture.hostPorts.video) return 'video';
  if (d.dstPort === capture.hostPorts.audio) return 'audio';
  return 'control';
}

function commandsOf(datagrams: Uint8Array[]): EnetCommand[] {
  return datagrams.flatMap((bytes) => {
    const parsed = parseEnetDatagram(bytes);
    assert.ok(parsed.ok);
    return parsed.datagram.commands;
  });
}

for (const folder of CONTROL_CAPTURES) {
  const capture = loadControlCapture(folder);
  let replayed: Replay | null = null;
  const result = (): Replay => (replayed ??= replay(capture));

  test(`${folder}: the host takes every client control message as the capture records it, once`, () => {
    const recorded = capture.messages.filter((m) => m.dir === 'client->host');
    const firsts = recorded.filter((m, i) => recorded.findIndex((o) => o.envelope_seq === m.envelope_seq) === i);
    const taken = result().events.flatMap((e) => (e.kind === 'control-message' ? [e] : []));
    assert.equal(taken.length, firsts.length);
    taken.forEach((e, i) => {
      const want = firsts[i];
      assert.ok(want !== undefined);
      assert.equal(e.channelId, want.enet_channel, `message ${i}`);
      const type = Number.parseInt(want.type, 16);
      switch (e.message.kind) {
        case 'request-idr':
          assert.equal(type, 0x0302);
          break;
        case 'start-b':
          assert.equal(type, 0x0307);
          break;
        case 'periodic-ping':
          assert.equal(type, 0x0200);
          break;
        case 'input':
          assert.equal(type, 0x0206);
          assert.equal(hex(e.message.packet), want.payload_hex);
          break;
        default:
          assert.fail(`unexpected ${e.message.kind} for recorded type ${want.type}`);
      }
    });
    // The first message of every MCC session is the IDR request, which the media sender hears.
    assert.equal(result().events.filter((e) => e.kind === 'idr-request').length, firsts.filter((m) => m.type === '0x0302').length);
  });

  test(`${folder}: the client's ports come from its pings`, () => {
    assert.deepEqual(result().session.videoTarget(), { address: CLIENT, port: capture.clientPorts.video });
    assert.deepEqual(result().session.audioTarget(), { address: CLIENT, port: capture.clientPorts.audio });
    assert.deepEqual(result().session.controlPeer(), { address: CLIENT, port: capture.clientPorts.control });
    assert.equal(result().stats.pingsAccepted, 2);
    // Pings that arrive after the client's DISCONNECT find no session (one in dev-h265-720p60).
    const disconnectMs = Math.max(...capture.datagrams.filter((d) => d.dstPort === capture.hostPorts.control && commandsOf([d.payload]).some((c) => c.kind === 'disconnect')).map((d) => d.timeMs));
    const late = capture.datagrams.filter((d) => (d.dstPort === capture.hostPorts.video || d.dstPort === capture.hostPorts.audio) && d.timeMs > disconnectMs);
    assert.equal(result().stats.pingsUnmatched, late.length);
    assert.equal(result().stats.pingsAfterMatch + 2 + late.length, capture.datagrams.filter((d) => d.dstPort === capture.hostPorts.video || d.dstPort === capture.hostPorts.audio).length);
  });

  test(`${folder}: VERIFY_CONNECT and the HDR message are Sunshine's bytes`, () => {
    const recordedHost = capture.datagrams.filter((d) => d.srcPort === capture.hostPorts.control).map((d) => d.payload);
    const ours = commandsOf(result().hostControl);
    const theirs = commandsOf(recordedHost);
    const verify = (cs: EnetCommand[]): EnetCommand | undefined => cs.find((c) => c.kind === 'verify-connect');
    assert.deepEqual(verify(ours), verify(theirs));
    // Same key, same sequence number 0, same plaintext: the same sealed envelope.
    const hdr = (cs: EnetCommand[]): EnetCommand | undefined => cs.find((c) => c.kind === 'send-reliable');
    const ourHdr = hdr(ours);
    const theirHdr = hdr(theirs);
    assert.ok(ourHdr?.kind === 'send-reliable' && theirHdr?.kind === 'send-reliable');
    assert.equal(ourHdr.channelId, 0);
    assert.equal(ourHdr.reliableSequenceNumber, theirHdr.reliableSequenceNumber);
    assert.equal(hex(ourHdr.data), hex(theirHdr.data));
    const opened = openControlEnvelope(capture.rikey, 'host', ourHdr.data);
    assert.ok(opened.kind === 'opened');
    assert.equal(opened.frame.type, 0x010e);
    assert.equal(hex(opened.frame.payload), '00'.repeat(27));
  });

  test(`${folder}: the host acknowledges what the client sent and ends the session on its DISCONNECT`, () => {
    assert.deepEqual(result().session.endReason(), { kind: 'control', reason: 'client-disconnected' });
    assert.equal(result().stats.enet.malformedDatagrams, 0);
    assert.equal(result().stats.enet.strayDatagrams, 0);
    assert.equal(result().stats.enet.truncatedDatagrams, 0);
    assert.equal(result().stats.control.plaintextDropped, 0);
    const acked = new Set(commandsOf(result().hostControl).flatMap((c) => (c.kind === 'acknowledge' ? [`${c.channelId}/${c.receivedReliableSequenceNumber}`] : [])));
    const clientReliable = capture.datagrams
      .filter((d) => d.dstPort === capture.hostPorts.control)
      .flatMap((d) => commandsOf([d.payload]))
      .filter((c) => c.acknowledge && c.kind !== 'connect');
    for (const c of clientReliable) assert.ok(acked.has(`${c.channelId}/${c.reliableSequenceNumber}`), `${c.kind} ${c.channelId}/${c.reliableSequenceNumber} not acknowledged`);
  });
}

/** How far our clock runs ahead of the recorded host's (its sent times are whole ms). */
const CLOCK_LEAD_MS = 2;
