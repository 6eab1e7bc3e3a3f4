// The stream core on virtual time, for unit tests: a clock the test moves, every datagram the
// core sends kept in order, and `advanceTo` running the core's timers up to a moment.

import { createStreamCore, DEFAULT_STREAM_CORE_CONFIG, type StreamCoreConfig, type StreamCore, type StreamPort, type UdpEndpoint } from '../../hostsim/stream-session.ts';
import { DEFAULT_ENET_HOST_CONFIG, type EnetHostConfig } from '../../hostsim/enet-host.ts';

export interface SentDatagram {
  atMs: number;
  port: StreamPort;
  to: UdpEndpoint;
  bytes: Uint8Array;
}

export interface StreamHarness {
  core: StreamCore;
  sent: SentDatagram[];
  nowMs(): number;
  /** Runs every timer due up to `ms`, then sets the clock there. */
  advanceTo(ms: number): void;
  /** Datagrams sent since the last call. */
  takeSent(): SentDatagram[];
}

export function createStreamHarness(options: { startMs?: number; pingTimeoutMs?: number; enet?: Partial<EnetHostConfig> } = {}): StreamHarness {
  let now = options.startMs ?? 0;
  let taken = 0;
  const sent: SentDatagram[] = [];
  const config: StreamCoreConfig = { pingTimeoutMs: options.pingTimeoutMs ?? DEFAULT_STREAM_CORE_CONFIG.pingTimeoutMs, enet: { ...DEFAULT_ENET_HOST_CONFIG, ...options.enet } };
  const core = createStreamCore(config, {
    nowMs: () => now,
    transmit: (port, to, bytes) => sent.push({ atMs: now, port, to, bytes }),
    wake: () => undefined,
  });
  return {
    core,
    sent,
    nowMs: () => now,
    advanceTo(ms) {
      for (let runs = 0; ; runs += 1) {
        const deadline = core.nextDeadlineMs();
        if (deadline === null || deadline > ms) break;
        if (runs >= MAX_TIMER_RUNS) throw new Error(`stream core still has a timer due at ${deadline} ms after ${runs} runs`);
        now = Math.max(now, deadline);
        core.handleTimeout();
      }
      now = Math.max(now, ms);
    },
    takeSent() {
      const fresh = sent.slice(taken);
      taken = sent.length;
      return fresh;
    },
  };
}

/** A test that runs more timers than this between two inputs has a core that never settles. */
const MAX_TIMER_RUNS = 100_000;
