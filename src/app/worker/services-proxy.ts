// Services on the UI thread, carried out by the services worker: each call becomes a request
// with an id and resolves with the matching response; worker events reach subscribers; a
// pairing handle is a pairing id whose `done` resolves on `pairing-done`.
// The latest start-up event is replayed to each new subscriber, so a screen that subscribes
// late still learns whether the services are ready or could not start.

import { assertNever, err, type Result } from '../../lib/result.ts';
import type { SessionOpener } from '../../session/start-stream.ts';
import type { PairingHandle, ServiceError, ServiceEvent, Services } from '../services.ts';
import type { CallKind, CallResults, FromWorker, InitMessage, ServiceCall, ToWorker } from './protocol.ts';
import { parseFromWorker } from './protocol-parse.ts';

/** What the proxy needs of a Worker; tests pass one end of a MessageChannel. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  terminate(): void;
}

export interface ServicesProxyOptions {
  /**
   * Runs the session of a stream the worker prepared (a session worker of its own); without
   * it `startStream` answers that streaming is not available.
   */
  openSession?: SessionOpener;
}

export function createServicesProxy(worker: WorkerLike, init: InitMessage, options: ServicesProxyOptions = {}): Services {
  const pending = new Map<number, { call: CallKind; resolve: (message: FromWorker & { kind: 'response' }) => void }>();
  const pairings = new Map<number, (result: Result<void, ServiceError>) => void>();
  const listeners = new Set<(event: ServiceEvent) => void>();
  let startup: ServiceEvent | null = null;
  let nextId = 1;
  let disposed = false;

  const send = (message: ToWorker): void => worker.postMessage(message);

  const request = <K extends CallKind>(call: ServiceCall & { kind: K }): Promise<CallResults[K]> => {
    if (disposed) return Promise.resolve(stoppedResult(call.kind) as CallResults[K]);
    const id = nextId++;
    return new Promise<CallResults[K]>((resolve) => {
      pending.set(id, {
        call: call.kind,
        // The worker answers `id` with the result of the same call: checked on arrival.
        resolve: (message) => resolve(message.result as CallResults[K]),
      });
      send({ kind: 'request', id, call });
    });
  };

  const emitLocal = (event: ServiceEvent): void => {
    for (const listener of [...listeners]) listener(event);
  };

  const receive = (message: FromWorker): void => {
    switch (message.kind) {
      case 'response': {
        const waiting = pending.get(message.id);
        if (waiting === undefined || waiting.call !== message.call) return;
        pending.delete(message.id);
        waiting.resolve(message);
        return;
      }
      case 'event':
        if (message.event.kind === 'startup' || message.event.kind === 'startup-failed') startup = message.event;
        for (const listener of [...listeners]) listener(message.event);
        return;
      case 'pairing-done': {
        const finish = pairings.get(message.pairingId);
        pairings.delete(message.pairingId);
        finish?.(message.result);
        return;
      }
      default:
        assertNever(message);
    }
  };

  worker.addEventListener('message', (event) => {
    if (disposed) return;
    const message = parseFromWorker(event.data);
    if (message.ok) receive(message.value);
  });
  send(init);

  return {
    listHosts: () => request({ kind: 'listHosts' }),
    addHost: (address) => request({ kind: 'addHost', address }),
    removeHost: (hostId) => request({ kind: 'removeHost', hostId }),
    async pair(hostId, pin) {
      const started = await request({ kind: 'pair', hostId, pin: pin ?? null });
      if (!started.ok) return started;
      const { pairingId } = started.value;
      const done = new Promise<Result<void, ServiceError>>((resolve) => {
        if (disposed) resolve(err({ kind: 'cancelled' }));
        else pairings.set(pairingId, resolve);
      });
      const handle: PairingHandle = {
        pin: started.value.pin,
        done,
        cancel: () => {
          if (!disposed) send({ kind: 'cancel-pairing', pairingId });
        },
      };
      return { ok: true, value: handle };
    },
    unpair: (hostId) => request({ kind: 'unpair', hostId }),
    wake: (hostId) => request({ kind: 'wake', hostId }),
    apps: (hostId) => request({ kind: 'apps', hostId }),
    boxArt: (hostId, appId) => request({ kind: 'boxArt', hostId, appId }),
    async startStream(hostId, appId, settings, media) {
      const open = options.openSession;
      if (open === undefined) return err({ kind: 'internal', detail: 'streaming is not part of this build' });
      const prepared = await request({ kind: 'prepareStream', hostId, appId, settings });
      if (!prepared.ok) return prepared;
      if (disposed) return err(STOPPED);
      emitLocal({ kind: 'stream-progress', hostId, stage: 'connecting' });
      return open(prepared.value, media);
    },
    cancelStreamStart(hostId) {
      if (!disposed) send({ kind: 'cancel-stream-start', hostId });
    },
    quitApp: (hostId) => request({ kind: 'quitApp', hostId }),
    subscribe(listener) {
      listeners.add(listener);
      const latest = startup;
      if (latest !== null) {
        void Promise.resolve().then(() => {
          if (listeners.has(listener)) listener(latest);
        });
      }
      return () => {
        listeners.delete(listener);
      };
    },
    dispose() {
      if (disposed) return;
      send({ kind: 'dispose' });
      disposed = true;
      worker.terminate();
      listeners.clear();
      for (const [, waiting] of pending) waiting.resolve(stoppedResponse(waiting.call));
      pending.clear();
      for (const [, finish] of pairings) finish(err({ kind: 'cancelled' }));
      pairings.clear();
    },
  };
}

const STOPPED: ServiceError = { kind: 'internal', detail: 'the services were stopped' };

function stoppedResult(call: CallKind): CallResults[CallKind] {
  return call === 'listHosts' ? [] : err(STOPPED);
}

function stoppedResponse(call: CallKind): FromWorker & { kind: 'response' } {
  if (call === 'listHosts') return { kind: 'response', id: 0, call, result: [] };
  return { kind: 'response', id: 0, call, result: err(STOPPED) };
}
