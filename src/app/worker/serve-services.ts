// The worker's side of the protocol: waits for `init`, boots the services (reporting each
// start-up stage), answers requests in any order they complete, forwards service events, and
// keeps the pairing handles that the main thread knows only by id. Requests that arrive before
// the services are up wait for them.

import { assertNever, err, type Result } from '../../lib/result.ts';
import type { StreamPreparer } from '../hosts/host-services.ts';
import type { PairingHandle, ServiceError, Services, StartupStage } from '../services.ts';
import { prepareTransfer, type FromWorker, type InitMessage, type ServiceCall } from './protocol.ts';
import { parseToWorker } from './protocol-parse.ts';

/** The worker's global scope, or one end of a MessageChannel in tests. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Builds the services for `init`, reporting progress; slow on first start (key generation). */
export type BootServices = (init: InitMessage, onStage: (stage: StartupStage) => void) => Promise<Result<WorkerServices, ServiceError>>;

/** The services as the worker runs them: streams are prepared here and run in a session worker. */
export type WorkerServices = Services & StreamPreparer;

export function serveServices(endpoint: MessageEndpoint, boot: BootServices): void {
  const post = (message: FromWorker): void => {
    const prepared = prepareTransfer(message);
    endpoint.postMessage(prepared.message, prepared.transfer);
  };
  let resolveBooted: (services: Result<WorkerServices, ServiceError>) => void = () => {};
  const booted = new Promise<Result<WorkerServices, ServiceError>>((resolve) => {
    resolveBooted = resolve;
  });
  let initialised = false;
  let disposed = false;
  const pairings = new Map<number, PairingHandle>();
  let nextPairingId = 1;

  const start = async (init: InitMessage): Promise<void> => {
    const services = await boot(init, (stage) => post({ kind: 'event', event: { kind: 'startup', stage } }));
    if (!services.ok) {
      post({ kind: 'event', event: { kind: 'startup-failed', error: services.error } });
      resolveBooted(services);
      return;
    }
    services.value.subscribe((event) => post({ kind: 'event', event }));
    await services.value.listHosts();
    post({ kind: 'event', event: { kind: 'startup', stage: 'ready' } });
    resolveBooted(services);
  };

  const answer = async (id: number, call: ServiceCall): Promise<void> => {
    const services = await booted;
    if (!services.ok || disposed) {
      const failure = services.ok ? { kind: 'internal' as const, detail: 'the services were stopped' } : services.error;
      post(failedResponse(id, call, failure));
      return;
    }
    post(await dispatch(services.value, id, call));
  };

  const dispatch = async (services: WorkerServices, id: number, call: ServiceCall): Promise<FromWorker> => {
    switch (call.kind) {
      case 'listHosts':
        return { kind: 'response', id, call: call.kind, result: await services.listHosts() };
      case 'addHost':
        return { kind: 'response', id, call: call.kind, result: await services.addHost(call.address) };
      case 'removeHost':
        return { kind: 'response', id, call: call.kind, result: await services.removeHost(call.hostId) };
      case 'unpair':
        return { kind: 'response', id, call: call.kind, result: await services.unpair(call.hostId) };
      case 'wake':
        return { kind: 'response', id, call: call.kind, result: await services.wake(call.hostId) };
      case 'apps':
        return { kind: 'response', id, call: call.kind, result: await services.apps(call.hostId) };
      case 'boxArt':
        return { kind: 'response', id, call: call.kind, result: await services.boxArt(call.hostId, call.appId) };
      case 'prepareStream':
        return { kind: 'response', id, call: call.kind, result: await services.prepareStream(call.hostId, call.appId, call.settings) };
      case 'quitApp':
        return { kind: 'response', id, call: call.kind, result: await services.quitApp(call.hostId) };
      case 'pair': {
        const started = await (call.pin === null ? services.pair(call.hostId) : services.pair(call.hostId, call.pin));
        if (!started.ok) return { kind: 'response', id, call: call.kind, result: started };
        const pairingId = nextPairingId++;
        pairings.set(pairingId, started.value);
        void started.value.done.then((result) => {
          pairings.delete(pairingId);
          post({ kind: 'pairing-done', pairingId, result });
        });
        return { kind: 'response', id, call: call.kind, result: { ok: true, value: { pairingId, pin: started.value.pin } } };
      }
      default:
        return assertNever(call);
    }
  };

  endpoint.addEventListener('message', (event) => {
    const message = parseToWorker(event.data);
    // Nothing but our own UI posts here; a message that does not parse is a bug there and is
    // dropped rather than half-acted on.
    if (!message.ok) return;
    const m = message.value;
    switch (m.kind) {
      case 'init':
        if (initialised) return;
        initialised = true;
        void start(m);
        return;
      case 'request':
        void answer(m.id, m.call);
        return;
      case 'cancel-pairing':
        pairings.get(m.pairingId)?.cancel();
        return;
      case 'cancel-stream-start':
        void booted.then((services) => {
          if (services.ok) services.value.cancelStreamStart(m.hostId);
        });
        return;
      case 'dispose':
        disposed = true;
        for (const pairing of pairings.values()) pairing.cancel();
        void booted.then((services) => {
          if (services.ok) services.value.dispose();
        });
        return;
      default:
        assertNever(m);
    }
  });
}

function failedResponse(id: number, call: ServiceCall, error: ServiceError): FromWorker {
  if (call.kind === 'listHosts') return { kind: 'response', id, call: call.kind, result: [] };
  return { kind: 'response', id, call: call.kind, result: err(error) };
}
