// The session loop over a scripted core and in-memory sockets, on fake time: the fixed drain
// order, datagrams in by copy or without one, transmits to the right port, deadline waits,
// commands, stop, termination, and a host that vanishes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { err, ok, type Result } from '../../../src/lib/result.ts';
import type { NetError, UdpDatagram } from '../../../src/platform/platform.ts';
import {
  startSessionLoop,
  type PumpedCore,
  type ReceivedInto,
  type SessionLoop,
  type SessionLoopDeps,
  type StreamChannel,
  type StreamSocket,
} from '../../../src/session/session-loop.ts';
import { createFakeClock, type FakeClock } from '../nvhttp/fake-platform.fake.ts';

const HOST = '192.0.2.7';
const PORTS: Record<StreamChannel, number> = { video: 47998, control: 47999, audio: 48000 };

type FakeEvent = { kind: 'echo'; channel: StreamChannel; sizeBytes: number } | { kind: 'terminated'; reason: 'host' } | { kind: 'tick' };

// ---- a scripted core ----

interface ScriptedCore extends PumpedCore<FakeEvent> {
  /** Every call, in order: `receive:video:3@1000` (µs), `transmit`, `event:echo`, `deadline`, `timeout@…`. */
  readonly log: string[];
  transmits: Array<{ channel: StreamChannel; bytes: Uint8Array }>;
  events: FakeEvent[];
  deadlineUs: number;
  readonly rxMemory: Uint8Array;
}

function createScriptedCore(): ScriptedCore {
  const rxMemory = new Uint8Array(64);
  const core: ScriptedCore = {
    log: [],
    transmits: [],
    events: [],
    deadlineUs: Number.POSITIVE_INFINITY,
    rxMemory,
    rxBuffer(channel) {
      core.log.push(`rx-buffer:${channel}`);
      return rxMemory.subarray(0, 32);
    },
    rxCommit(channel, sizeBytes, nowUs) {
      core.log.push(`rx-commit:${channel}:${sizeBytes}@${nowUs}`);
      core.transmits.push({ channel, bytes: rxMemory.slice(0, sizeBytes) });
      core.events.push({ kind: 'echo', channel, sizeBytes });
    },
    receive(channel, datagram, nowUs) {
      core.log.push(`receive:${channel}:${datagram.length}@${nowUs}`);
      // An echo of every datagram, and an event saying so: one transmit and one event per input.
      core.transmits.push({ channel, bytes: datagram.slice() });
      core.events.push({ kind: 'echo', channel, sizeBytes: datagram.length });
    },
    handleTimeout(nowUs) {
      core.log.push(`timeout@${nowUs}`);
      core.deadlineUs = Number.POSITIVE_INFINITY;
      core.events.push({ kind: 'tick' });
    },
    pollTransmit() {
      const next = core.transmits.shift() ?? null;
      core.log.push(next === null ? 'transmit:none' : 'transmit');
      return next;
    },
    pollEvent() {
      const next = core.events.shift() ?? null;
      core.log.push(next === null ? 'event:none' : `event:${next.kind}`);
      return next;
    },
    nextDeadlineUs() {
      core.log.push('deadline');
      return core.deadlineUs;
    },
  };
  return core;
}

// ---- in-memory sockets on the fake clock ----

interface FakeSocket extends StreamSocket {
  readonly sent: Array<{ bytes: Uint8Array; host: string; port: number }>;
  readonly closed: boolean;
  receiveCalls: number;
  /** The timeout of every receive asked for. */
  receiveTimeouts: number[];
  deliver(bytes: Uint8Array, port: number): void;
  fail(error: NetError): void;
}

function createFakeSocket(clock: FakeClock, options: { zeroCopy: boolean }): FakeSocket {
  const queue: UdpDatagram[] = [];
  let waiter: ((result: Result<UdpDatagram, NetError>) => void) | null = null;
  let failure: NetError | null = null;
  let closed = false;
  const settleWaiter = (result: Result<UdpDatagram, NetError>): void => {
    const w = waiter;
    waiter = null;
    w?.(result);
  };
  const socket: FakeSocket = {
    sent: [],
    get closed() {
      return closed;
    },
    receiveCalls: 0,
    receiveTimeouts: [],
    deliver(bytes, port) {
      const datagram = { bytes, host: HOST, port };
      if (waiter !== null) settleWaiter(ok(datagram));
      else queue.push(datagram);
    },
    fail(error) {
      failure = error;
      settleWaiter(err(error));
    },
    async send(bytes, host, port) {
      socket.sent.push({ bytes: bytes.slice(), host, port });
      return ok(undefined);
    },
    receive(timeoutMs) {
      socket.receiveCalls += 1;
      socket.receiveTimeouts.push(timeoutMs);
      if (closed) return Promise.resolve(err({ kind: 'closed', detail: 'closed' }));
      if (failure !== null) return Promise.resolve(err(failure));
      const next = queue.shift();
      if (next !== undefined) return Promise.resolve(ok(next));
      if (timeoutMs <= 0) return Promise.resolve(err({ kind: 'timeout', detail: 'nothing waiting' }));
      return new Promise((resolve) => {
        const timer = clock.setTimer(timeoutMs, () => {
          waiter = null;
          resolve(err({ kind: 'timeout', detail: 'nothing' }));
        });
        waiter = (result) => {
          clock.clearTimer(timer);
          resolve(result);
        };
      });
    },
    close() {
      closed = true;
      settleWaiter(err({ kind: 'closed', detail: 'closed' }));
    },
  };
  if (options.zeroCopy) {
    socket.receiveInto = (target: Uint8Array): Result<ReceivedInto | null, NetError> => {
      if (failure !== null) return err(failure);
      const next = queue.shift();
      if (next === undefined) return ok(null);
      target.set(next.bytes.subarray(0, target.length));
      return ok({ sizeBytes: next.bytes.length, host: next.host, port: next.port });
    };
  }
  return socket;
}

// ---- harness ----

interface Harness {
  clock: FakeClock;
  core: ScriptedCore;
  sockets: Record<StreamChannel, FakeSocket>;
  loop: SessionLoop<FakeEvent>;
  seen: FakeEvent[];
  yields: number;
  ended: () => boolean;
  /** Moves fake time forward in 1 ms steps, letting the loop run after each. */
  run(ms: number): Promise<void>;
}

/** Lets every promise chain that can move without fake time run to its end. */
async function flush(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

function startHarness(options: { zeroCopy?: boolean; onEvent?: (event: FakeEvent, h: Harness) => void; deps?: Partial<SessionLoopDeps<FakeEvent>> } = {}): Harness {
  const clock = createFakeClock(5_000);
  const core = createScriptedCore();
  const zeroCopy = options.zeroCopy ?? false;
  const sockets = {
    video: createFakeSocket(clock, { zeroCopy }),
    audio: createFakeSocket(clock, { zeroCopy }),
    control: createFakeSocket(clock, { zeroCopy }),
  };
  let finished = false;
  const h: Harness = {
    clock,
    core,
    sockets,
    seen: [],
    yields: 0,
    ended: () => finished,
    loop: undefined as unknown as SessionLoop<FakeEvent>,
    async run(ms) {
      for (let i = 0; i < ms && !finished; i += 1) {
        clock.advance(1);
        await flush();
      }
    },
  };
  h.loop = startSessionLoop<FakeEvent>({
    core,
    sockets,
    host: { address: HOST, ports: PORTS },
    clock,
    onEvent: (event) => {
      h.seen.push(event);
      options.onEvent?.(event, h);
    },
    yieldToEventLoop: () =>
      new Promise((resolve) => {
        h.yields += 1;
        clock.setTimer(0, resolve);
      }),
    ...options.deps,
  });
  void h.loop.done.then(() => {
    finished = true;
  });
  return h;
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** The log from the first entry matching `from`, without the idle bookkeeping between passes. */
function logFrom(log: readonly string[], from: string): string[] {
  const start = log.findIndex((line) => line.startsWith(from));
  assert.ok(start >= 0, `no ${from} in ${log.join(' ')}`);
  return log.slice(start);
}

// ---- tests ----

test('a datagram goes into the core, then transmits drain until none, then events until none, then the deadline is read', async () => {
  const h = startHarness();
  await flush();
  h.sockets.video.deliver(bytes(1, 2, 3), PORTS.video);
  await h.run(1);
  assert.deepEqual(logFrom(h.core.log, 'receive').slice(0, 6), ['receive:video:3@5001000', 'transmit', 'transmit:none', 'event:echo', 'event:none', 'deadline']);
  assert.deepEqual(h.seen, [{ kind: 'echo', channel: 'video', sizeBytes: 3 }]);
  h.loop.stop();
  assert.deepEqual(await h.loop.done, { kind: 'stopped' });
});

test('each transmit goes to the host port of its own channel', async () => {
  const h = startHarness();
  await flush();
  h.sockets.control.deliver(bytes(7), PORTS.control);
  h.sockets.audio.deliver(bytes(8, 8), PORTS.audio);
  h.sockets.video.deliver(bytes(9, 9, 9), PORTS.video);
  await h.run(2);
  assert.deepEqual(h.sockets.control.sent, [{ bytes: bytes(7), host: HOST, port: PORTS.control }]);
  assert.deepEqual(h.sockets.audio.sent, [{ bytes: bytes(8, 8), host: HOST, port: PORTS.audio }]);
  assert.deepEqual(h.sockets.video.sent, [{ bytes: bytes(9, 9, 9), host: HOST, port: PORTS.video }]);
  assert.equal(h.loop.stats().receivedPackets, 3);
  assert.equal(h.loop.stats().receivedBytes, 6);
  assert.equal(h.loop.stats().sentPackets, 3);
  h.loop.stop();
  await h.loop.done;
});

test('a socket that reads into memory is read straight into the core\'s receive buffer, with no copying receive', async () => {
  const h = startHarness({ zeroCopy: true });
  await flush();
  h.sockets.audio.deliver(bytes(4, 5, 6, 7), PORTS.audio);
  await h.run(4);
  // Polled: seen at the first pass after it arrived, within the wait cap.
  assert.deepEqual(logFrom(h.core.log, 'rx-commit').slice(0, 6), ['rx-commit:audio:4@5004000', 'transmit', 'transmit:none', 'event:echo', 'event:none', 'rx-buffer:audio']);
  assert.deepEqual(Array.from(h.core.rxMemory.subarray(0, 4)), [4, 5, 6, 7]);
  assert.equal(h.core.log.some((line) => line.startsWith('receive:')), false);
  assert.equal(h.sockets.audio.receiveCalls, 0);
  assert.equal(h.loop.stats().copiedReceives, 0);
  h.loop.stop();
  await h.loop.done;
});

test('a polled socket\'s datagram is seen within the wait cap even when the core has no deadline', async () => {
  const h = startHarness({ zeroCopy: true });
  await h.run(10);
  h.sockets.video.deliver(bytes(1), PORTS.video);
  const at = h.clock.nowMs();
  await h.run(4);
  const line = h.core.log.find((l) => l.startsWith('rx-commit:video'));
  assert.ok(line !== undefined);
  const seenAtMs = Number(line.split('@')[1]) / 1000;
  assert.ok(seenAtMs - at <= 4, `seen ${seenAtMs - at} ms after it arrived`);
  h.loop.stop();
  await h.loop.done;
});

test('with pollSockets the sockets are only ever asked with zero timeouts, and a datagram is still seen within the cap', async () => {
  const h = startHarness({ deps: { pollSockets: true } });
  await h.run(10);
  h.sockets.video.deliver(bytes(1, 2), PORTS.video);
  const at = h.clock.nowMs();
  await h.run(4);
  const line = h.core.log.find((l) => l.startsWith('receive:video:2@'));
  assert.ok(line !== undefined, 'the datagram was not fed');
  assert.ok(Number(line.split('@')[1]) / 1000 - at <= 4);
  for (const socket of [h.sockets.video, h.sockets.audio, h.sockets.control]) assert.deepEqual([...new Set(socket.receiveTimeouts)], [0]);
  h.loop.stop();
  assert.deepEqual(await h.loop.done, { kind: 'stopped' });
});

test('datagrams from another port than the host\'s are dropped unread and counted', async () => {
  const h = startHarness();
  await flush();
  h.sockets.video.deliver(bytes(1, 2), 40000);
  await h.run(2);
  assert.equal(h.core.log.some((line) => line.startsWith('receive:')), false);
  assert.deepEqual(h.loop.stats().foreignPackets, 1);
  assert.equal(h.loop.stats().receivedPackets, 0);
  h.loop.stop();
  await h.loop.done;
});

test('the core\'s deadline is served when it comes, not before', async () => {
  const h = startHarness();
  h.core.deadlineUs = 5_007_000;
  await h.run(6);
  assert.equal(h.core.log.some((line) => line.startsWith('timeout@')), false);
  await h.run(2);
  assert.deepEqual(h.core.log.filter((line) => line.startsWith('timeout@')), ['timeout@5007000']);
  assert.deepEqual(h.seen, [{ kind: 'tick' }]);
  h.loop.stop();
  await h.loop.done;
});

test('with no deadline the loop still wakes at least every few milliseconds, and never calls handleTimeout', async () => {
  const h = startHarness();
  await h.run(100);
  const reads = h.core.log.filter((line) => line === 'deadline').length;
  assert.ok(reads >= 20, `only ${reads} wake-ups in 100 ms`);
  assert.equal(h.core.log.some((line) => line.startsWith('timeout@')), false);
  h.loop.stop();
  await h.loop.done;
});

test('stop ends the loop with `stopped` and closes every socket; the core is not called after', async () => {
  const h = startHarness();
  await h.run(5);
  h.loop.stop();
  h.loop.stop();
  assert.deepEqual(await h.loop.done, { kind: 'stopped' });
  assert.ok(h.sockets.video.closed && h.sockets.audio.closed && h.sockets.control.closed);
  const calls = h.core.log.length;
  h.sockets.video.deliver(bytes(1), PORTS.video);
  await h.run(10);
  assert.equal(h.core.log.length, calls);
});

test('the core\'s terminated event reaches the consumer and ends the loop with it', async () => {
  const h = startHarness();
  await flush();
  h.core.events.push({ kind: 'terminated', reason: 'host' });
  h.core.deadlineUs = 5_001_000;
  await h.run(10);
  assert.deepEqual(await h.loop.done, { kind: 'terminated', event: { kind: 'terminated', reason: 'host' } });
  assert.deepEqual(h.seen.at(-1), { kind: 'terminated', reason: 'host' });
  assert.ok(h.sockets.control.closed);
});

test('a host that stops sending ends the stream within 3 s', async () => {
  const h = startHarness();
  // A live host: control traffic every 100 ms for one second, then nothing.
  for (let i = 0; i < 10; i += 1) {
    h.sockets.control.deliver(bytes(i), PORTS.control);
    await h.run(100);
  }
  const vanishedMs = h.clock.nowMs();
  await h.run(5000);
  assert.ok(h.ended(), 'the loop is still running 5 s after the host vanished');
  const end = await h.loop.done;
  assert.equal(end.kind, 'host-silent');
  assert.ok(h.clock.nowMs() - vanishedMs <= 3000, `ended ${h.clock.nowMs() - vanishedMs} ms after the host vanished`);
  assert.ok(end.kind === 'host-silent' && end.heardFromHost);
});

test('a host that never answers at all is given the 10 s connect window, not the 2.5 s silence limit', async () => {
  const h = startHarness();
  await h.run(5000);
  assert.equal(h.ended(), false);
  await h.run(6000);
  assert.deepEqual(await h.loop.done, { kind: 'host-silent', silentMs: 10_000, heardFromHost: false });
});

test('time the loop did not run (a suspended TV) does not count as the host\'s silence', async () => {
  const h = startHarness();
  h.sockets.control.deliver(bytes(1), PORTS.control);
  await h.run(10);
  // One jump of 5 s with no pass in between, as when the worker is frozen.
  h.clock.advance(5000);
  h.sockets.control.deliver(bytes(2), PORTS.control);
  await flush();
  await h.run(10);
  assert.equal(h.ended(), false);
  h.loop.stop();
  await h.loop.done;
});

test('a command runs between two steps and its transmits are drained at once', async () => {
  const h = startHarness();
  await h.run(2);
  h.loop.runCommand((core) => {
    (core as ScriptedCore).transmits.push({ channel: 'control', bytes: bytes(0xaa) });
  });
  await flush();
  assert.deepEqual(h.sockets.control.sent.map((s) => Array.from(s.bytes)), [[0xaa]]);
  h.loop.stop();
  await h.loop.done;
});

test('a failing socket ends the loop with the channel and the platform\'s error', async () => {
  const h = startHarness();
  await flush();
  h.sockets.audio.fail({ kind: 'io', detail: 'network down' });
  await h.run(2);
  assert.deepEqual(await h.loop.done, { kind: 'socket-error', channel: 'audio', error: { kind: 'io', detail: 'network down' } });
  assert.ok(h.sockets.video.closed);
});

test('a flood of waiting datagrams is fed in slices with turns of the event loop between them', async () => {
  const h = startHarness();
  await flush();
  for (let i = 0; i < 300; i += 1) h.sockets.video.deliver(bytes(i & 0xff), PORTS.video);
  await h.run(20);
  assert.equal(h.loop.stats().receivedPackets, 300);
  assert.ok(h.yields >= 4, `only ${h.yields} turns for 300 datagrams`);
  h.loop.stop();
  await h.loop.done;
});

test('a consumer that throws ends the loop as an internal failure, and the sockets still close', async () => {
  const h = startHarness({
    onEvent: () => {
      throw new Error('sink exploded');
    },
  });
  await flush();
  h.sockets.video.deliver(bytes(1), PORTS.video);
  await h.run(2);
  assert.deepEqual(await h.loop.done, { kind: 'internal', detail: 'sink exploded' });
  assert.ok(h.sockets.video.closed);
});
