// The I/O shell of one stream (style guide C.10): it owns the stream's three UDP sockets and
// pumps the sans-IO core session with datagrams and time, as quinn's endpoint drives
// quinn-proto. Platform-neutral: it sees sockets and a clock through the platform seam.
//
// Theory of operation
// -------------------
// Every pass of the loop does, in this order:
//   1. run the commands queued since the last pass (IDR request, input, ...);
//   2. feed every datagram that arrived: each is one core input (rxCommit or receive)
//      followed by a drain;
//   3. if the core's deadline has come, handleTimeout and drain;
//   4. check that the host is still there, and run `onPass` (work paced by time);
//   5. wait until the sooner of the deadline and WAIT_CAP_MS, or until a datagram, a
//      command or a stop request arrives.
// A drain is the fixed order of the core's contract: transmits until none, then events
// until none. Transmits go to the host's port of their channel; events go to `onEvent`
// while their borrowed bytes are valid.
//
// Three ways to receive, per socket. A socket that offers `receiveInto` is read without a copy
// straight into core memory (rxBuffer/rxCommit): it is polled, so the cap bounds how late a
// datagram is seen. Any other socket keeps one `receive` outstanding, whose datagram the
// core copies in (receive); it wakes the loop the moment a datagram arrives. With
// `pollSockets` those are polled too, with zero-timeout receives: for a platform whose waiting
// receive blocks the thread in its own polls (Tizen, tizen.md §2.7), where three waiting
// sockets would take turns blocking the worker.
//
// The loop returns to the event loop at every wait and at least every YIELD_EVERY_INPUTS
// inputs, so that messages to the worker (input, a stop request) never wait behind a flood.
//
// Stopping says goodbye: stop() hands the core its stop command (ENet's graceful disconnect),
// then the loop keeps pumping, with the control socket's datagrams and the core's deadlines,
// until the core has nothing pending (the host acknowledged the DISCONNECT, so it learns at once
// that the client left instead of by its own timeout) or STOP_LINGER_MS ran out. Events that
// were waiting in the core are still delivered, its own `terminated` is not, no command runs,
// and the loop ends as `stopped` whatever happens to the sockets. A core without `stop` ends
// at once.
//
// It ends on the core's `terminated` event, on stop(), on a socket failure, or when the host
// has gone silent: ENet acknowledges our 100 ms control pings (data-plane.md §1.5), so a live
// host is never quiet for long, and HOST_SILENCE_LIMIT_MS ends the stream well within 3 s of
// the host vanishing instead of the 10 s of ENet's own timeout.

import type { SessionChannel } from '../../wasm/session.ts';
import type { Result } from '../lib/result.ts';
import type { Clock, NetError, UdpDatagram } from '../platform/platform.ts';

export type StreamChannel = SessionChannel;

export const STREAM_CHANNELS: readonly StreamChannel[] = ['control', 'video', 'audio'];

/** What the loop needs of the core session (wasm/session.ts CoreSession has all of it). */
export interface PumpedCore<E extends { kind: string }> {
  rxBuffer(channel: StreamChannel): Uint8Array;
  rxCommit(channel: StreamChannel, sizeBytes: number, nowUs: number): void;
  receive(channel: StreamChannel, datagram: Uint8Array, nowUs: number): void;
  handleTimeout(nowUs: number): void;
  pollTransmit(): { channel: StreamChannel; bytes: Uint8Array } | null;
  pollEvent(): E | null;
  nextDeadlineUs(): number;
  /** The client leaves (wasm/session.ts CoreSession.stop); optional for cores with no goodbye to say. */
  stop?(nowUs: number): void;
}

/** Where a datagram landed when a socket reads it into the caller's memory. */
export interface ReceivedInto {
  /** The datagram's full size; larger than the target when it was cut short. */
  sizeBytes: number;
  host: string;
  port: number;
}

/** A stream socket: the platform's UdpSocket, optionally able to read without a copy. */
export interface StreamSocket {
  send(bytes: Uint8Array, host: string, port: number): Promise<Result<void, NetError>>;
  receive(timeoutMs: number): Promise<Result<UdpDatagram, NetError>>;
  /** Never blocks: moves the next waiting datagram into `target`, or answers null when none waits. */
  receiveInto?(target: Uint8Array): Result<ReceivedInto | null, NetError>;
  close(): void;
}

export interface SessionLoopDeps<E extends { kind: string }> {
  core: PumpedCore<E>;
  /** Opened by the caller, bound and already pinging or not; the loop closes them when it ends. */
  sockets: Readonly<Record<StreamChannel, StreamSocket>>;
  /** Where transmits go: the host's address and its port per channel (StreamConfig). */
  host: { address: string; ports: Readonly<Record<StreamChannel, number>> };
  clock: Pick<Clock, 'nowMs' | 'setTimer' | 'clearTimer'>;
  /** Each core event, while its borrowed bytes are valid (they are not after it returns). */
  onEvent(event: E): void;
  /** After every pass (at least every WAIT_CAP_MS): work paced by time, such as feeding a player. */
  onPass?: () => void;
  /** One turn of the event loop; defaults to a zero-delay timer. */
  yieldToEventLoop?: () => Promise<void>;
  /** Poll the sockets without `receiveInto` with zero-timeout receives instead of waiting on them. */
  pollSockets?: boolean;
  waitCapMs?: number;
  hostSilenceLimitMs?: number;
  startSilenceLimitMs?: number;
}

export type SessionLoopEnd<E extends { kind: string }> =
  /** The core ended the session (the host's termination, a timeout, a protocol failure). */
  | { kind: 'terminated'; event: Extract<E, { kind: 'terminated' }> }
  | { kind: 'stopped' }
  /** Nothing came from the host for `silentMs` (it vanished, or the network did). */
  | { kind: 'host-silent'; silentMs: number; heardFromHost: boolean }
  | { kind: 'socket-error'; channel: StreamChannel; error: NetError }
  /** A bug: the core or an event consumer threw. */
  | { kind: 'internal'; detail: string };

export interface SessionLoopStats {
  receivedPackets: number;
  receivedBytes: number;
  sentPackets: number;
  sendFailures: number;
  /** Datagrams from another port than the host's for that channel, dropped unread. */
  foreignPackets: number;
  /** Datagrams longer than the core's receive buffer, dropped. */
  oversizePackets: number;
  /** Receives that copied the datagram (the platform cannot read into core memory). */
  copiedReceives: number;
}

export interface SessionLoop<E extends { kind: string }> {
  /** Resolves once, when the loop has ended and closed its sockets. */
  readonly done: Promise<SessionLoopEnd<E>>;
  /** Ends the loop: says goodbye to the host first (bounded by STOP_LINGER_MS), then `done` resolves `stopped`; idempotent. */
  stop(): void;
  /** Runs `command` against the core between two steps of the loop, then drains. */
  runCommand(command: (core: PumpedCore<E>) => void): void;
  stats(): SessionLoopStats;
}

export function startSessionLoop<E extends { kind: string }>(deps: SessionLoopDeps<E>): SessionLoop<E> {
  const { core, sockets, host, clock } = deps;
  const waitCapMs = deps.waitCapMs ?? WAIT_CAP_MS;
  const yieldTurn = deps.yieldToEventLoop ?? (() => new Promise<void>((resolve) => clock.setTimer(0, resolve)));
  const stats: SessionLoopStats = { receivedPackets: 0, receivedBytes: 0, sentPackets: 0, sendFailures: 0, foreignPackets: 0, oversizePackets: 0, copiedReceives: 0 };
  const arrivals: Array<{ channel: StreamChannel; result: Result<UdpDatagram, NetError> }> = [];
  const armed = new Set<StreamChannel>();
  const commands: Array<(core: PumpedCore<E>) => void> = [];
  let end: SessionLoopEnd<E> | null = null;
  let stopRequested = false;
  /** Set once the core was told to stop: until when the loop waits for the goodbye to finish. */
  let stopDeadlineMs: number | null = null;
  let wake: (() => void) | null = null;
  let lastNowUs = 0;
  let inputsSinceYield = 0;
  let heardFromHost = false;
  let lastHeardMs = clock.nowMs();
  let lastPassMs = lastHeardMs;

  const nowUs = (): number => {
    // The core's time never goes back, whatever the platform's clock does.
    lastNowUs = Math.max(lastNowUs, Math.round(clock.nowMs() * 1000));
    return lastNowUs;
  };

  const wakeUp = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };

  /** Sockets that keep a receive outstanding (not read into core memory, not polled). */
  const waitsOn = (channel: StreamChannel): boolean => sockets[channel].receiveInto === undefined && deps.pollSockets !== true;

  const arm = (channel: StreamChannel): void => {
    if (armed.has(channel) || end !== null || !waitsOn(channel)) return;
    armed.add(channel);
    void sockets[channel].receive(RECEIVE_WAIT_MS).then((result) => {
      armed.delete(channel);
      arrivals.push({ channel, result });
      wakeUp();
    });
  };

  const send = (channel: StreamChannel, bytes: Uint8Array): void => {
    // The bytes are borrowed from core memory, which the next core call may reuse while the
    // platform still holds them; transmits are small (pings, ENet, input), so copy.
    const copy = bytes.slice();
    stats.sentPackets += 1;
    void sockets[channel].send(copy, host.address, host.ports[channel]).then((sent) => {
      if (!sent.ok) stats.sendFailures += 1;
    });
  };

  const drain = (): void => {
    for (let n = 0; ; n += 1) {
      if (n > MAX_DRAIN_ITEMS) throw new Error('the core kept producing transmits');
      const transmit = core.pollTransmit();
      if (transmit === null) break;
      send(transmit.channel, transmit.bytes);
    }
    for (let n = 0; ; n += 1) {
      if (n > MAX_DRAIN_ITEMS) throw new Error('the core kept producing events');
      const event = core.pollEvent();
      if (event === null) break;
      // Stopping: the end is `stopped`, and the core's `terminated` only confirms it.
      if (stopDeadlineMs !== null && isTerminated(event)) continue;
      deps.onEvent(event);
      // Nothing after the end matters; the core's later events are not delivered.
      if (isTerminated(event)) {
        if (end === null) end = { kind: 'terminated', event };
        return;
      }
    }
  };

  const heard = (channel: StreamChannel, sizeBytes: number, port: number): boolean => {
    if (port !== host.ports[channel]) {
      stats.foreignPackets += 1;
      return false;
    }
    stats.receivedPackets += 1;
    stats.receivedBytes += sizeBytes;
    heardFromHost = true;
    lastHeardMs = clock.nowMs();
    return true;
  };

  const feedArrivals = (): void => {
    while (end === null) {
      const arrival = arrivals.shift();
      if (arrival === undefined) return;
      const { channel, result } = arrival;
      inputsSinceYield += 1;
      if (!result.ok) {
        if (result.error.kind !== 'timeout') end = { kind: 'socket-error', channel, error: result.error };
        continue;
      }
      const datagram = result.value;
      if (!heard(channel, datagram.bytes.length, datagram.port)) continue;
      stats.copiedReceives += 1;
      core.receive(channel, datagram.bytes, nowUs());
      drain();
    }
  };

  const pollZeroCopy = (): void => {
    for (const channel of STREAM_CHANNELS) {
      const socket = sockets[channel];
      if (socket.receiveInto === undefined) continue;
      for (let n = 0; n < MAX_BURST_PER_SOCKET && end === null; n += 1) {
        const target = core.rxBuffer(channel);
        const got = socket.receiveInto(target);
        if (!got.ok) {
          end = { kind: 'socket-error', channel, error: got.error };
          return;
        }
        if (got.value === null) break;
        inputsSinceYield += 1;
        if (got.value.sizeBytes > target.length) {
          stats.oversizePackets += 1;
          continue;
        }
        if (!heard(channel, got.value.sizeBytes, got.value.port)) continue;
        core.rxCommit(channel, got.value.sizeBytes, nowUs());
        drain();
      }
    }
  };

  /** Takes what waits on the polled sockets into `arrivals`, without waiting for more. */
  const sweepPolled = async (): Promise<void> => {
    if (deps.pollSockets !== true) return;
    for (const channel of STREAM_CHANNELS) {
      if (sockets[channel].receiveInto !== undefined) continue;
      for (let n = 0; n < MAX_BURST_PER_SOCKET; n += 1) {
        const result = await sockets[channel].receive(0);
        if (!result.ok && result.error.kind === 'timeout') break;
        arrivals.push({ channel, result });
        if (!result.ok) break;
      }
    }
  };

  /** Fires due deadlines; answers how long the loop may wait, in ms. */
  const serviceDeadline = (): number => {
    for (let n = 0; n < MAX_TIMEOUTS_PER_PASS && end === null; n += 1) {
      const now = nowUs();
      const deadlineUs = core.nextDeadlineUs();
      if (deadlineUs > now) return Math.min(waitCapMs, Math.ceil((deadlineUs - now) / 1000));
      core.handleTimeout(now);
      drain();
    }
    // Still due after many rounds: let the event loop run, then come straight back.
    return 0;
  };

  const checkHost = (): void => {
    const nowMs = clock.nowMs();
    // Time the loop itself did not run (a suspended TV, a throttled tab) is not the host's silence.
    const stalledMs = nowMs - lastPassMs;
    if (stalledMs > STALL_MS) lastHeardMs += stalledMs;
    lastPassMs = nowMs;
    const silentMs = nowMs - lastHeardMs;
    const limitMs = heardFromHost ? (deps.hostSilenceLimitMs ?? HOST_SILENCE_LIMIT_MS) : (deps.startSilenceLimitMs ?? START_SILENCE_LIMIT_MS);
    if (silentMs >= limitMs) end = { kind: 'host-silent', silentMs, heardFromHost };
  };

  const hasWork = (): boolean => arrivals.length > 0 || commands.length > 0 || stopRequested;

  /** Sleeps until woken or `waitMs` passed; a sleep that ran out was a real turn of the event loop. */
  const wait = (waitMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = clock.setTimer(waitMs, () => {
        wake = null;
        inputsSinceYield = 0;
        resolve();
      });
      wake = () => {
        clock.clearTimer(timer);
        resolve();
      };
    });

  /** Tells the core to stop and sends its goodbye; false when there is no goodbye to wait for. */
  const beginStop = (): boolean => {
    commands.length = 0;
    if (core.stop === undefined) return false;
    stopDeadlineMs = clock.nowMs() + STOP_LINGER_MS;
    core.stop(nowUs());
    drain();
    return true;
  };

  /** One pass while stopping: datagrams and deadlines only, until the core is done or the linger is over. */
  const stoppingPass = (): number => {
    feedArrivals();
    if (end === null) pollZeroCopy();
    const waitMs = end === null ? serviceDeadline() : 0;
    const doneSaying = core.nextDeadlineUs() === Number.POSITIVE_INFINITY;
    if (end !== null || doneSaying || clock.nowMs() >= (stopDeadlineMs ?? 0)) end = { kind: 'stopped' };
    return waitMs;
  };

  const pass = (): number => {
    for (const command of commands.splice(0)) {
      inputsSinceYield += 1;
      command(core);
      drain();
    }
    feedArrivals();
    if (end === null) pollZeroCopy();
    const waitMs = end === null ? serviceDeadline() : 0;
    if (end === null) checkHost();
    if (end === null) deps.onPass?.();
    return waitMs;
  };

  const run = async (): Promise<SessionLoopEnd<E>> => {
    try {
      for (const channel of STREAM_CHANNELS) arm(channel);
      while (end === null) {
        await sweepPolled();
        if (stopRequested && stopDeadlineMs === null && !beginStop()) end = { kind: 'stopped' };
        if (end !== null) break;
        const waitMs = stopDeadlineMs === null ? pass() : stoppingPass();
        if (end !== null) break;
        for (const channel of STREAM_CHANNELS) arm(channel);
        // Work that is already here runs at once, but never so long that messages starve.
        if (inputsSinceYield >= YIELD_EVERY_INPUTS || waitMs <= 0) {
          inputsSinceYield = 0;
          await yieldTurn();
        } else if (stopDeadlineMs !== null ? arrivals.length === 0 : !hasWork()) {
          // A wake-up by a datagram may come without a turn of the event loop (a receive that
          // resolves from a queue), so only a sleep that ran out resets the count.
          await wait(waitMs);
        }
      }
      return end;
    } catch (e) {
      return { kind: 'internal', detail: e instanceof Error ? e.message : String(e) };
    } finally {
      for (const channel of STREAM_CHANNELS) sockets[channel].close();
    }
  };

  const done = run();
  return {
    done,
    stop() {
      stopRequested = true;
      wakeUp();
    },
    runCommand(command) {
      if (end !== null || stopRequested) return;
      commands.push(command);
      wakeUp();
    },
    stats: () => ({ ...stats }),
  };
}

function isTerminated<E extends { kind: string }>(event: E): event is Extract<E, { kind: 'terminated' }> {
  return event.kind === 'terminated';
}

// The longest goodbye: ENet's disconnect linger in the core (MCC lingers 2 s, data-plane.md
// §4.1). The core gives up by then on its own; this bounds the loop whatever the core does.
const STOP_LINGER_MS = 2000;
// A quarter of a 60 Hz frame: the longest a polled socket's datagram waits to be seen, and the
// longest the loop sleeps even when the core has no deadline (tizen.md §2.7: short waits).
const WAIT_CAP_MS = 4;
// An outstanding receive is renewed after this long; its length only bounds idle timers.
const RECEIVE_WAIT_MS = 1000;
// Inputs fed before the loop lets the event loop run even though more datagrams wait: at
// 1,400-byte packets this is about 90 KB, a fraction of a 60 fps frame at 50 Mbit/s.
const YIELD_EVERY_INPUTS = 64;
const MAX_BURST_PER_SOCKET = 64;
// A core that is always due or never runs dry is a bug; these bound the damage.
const MAX_TIMEOUTS_PER_PASS = 16;
const MAX_DRAIN_ITEMS = 100_000;
// data-plane.md §1.5: ENet answers the client's 100 ms control pings, and pings itself after
// 500 ms idle; 2.5 s with nothing from the host means it is gone (ends within 3 s).
const HOST_SILENCE_LIMIT_MS = 2500;
// Before the host's first datagram: MLC's 10 s ENet connect timeout (control-plane.md §6.7).
const START_SILENCE_LIMIT_MS = 10_000;
// A gap between passes this long means the loop was not running (not that the host was quiet).
const STALL_MS = 1000;
