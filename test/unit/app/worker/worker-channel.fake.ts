// The services worker and its proxy joined by a real MessageChannel in one Node process:
// messages are structured-cloned and buffers transferred as between a page and a worker.

import { serveServices, type BootServices } from '../../../../src/app/worker/serve-services.ts';
import { createServicesProxy, type WorkerLike } from '../../../../src/app/worker/services-proxy.ts';
import type { InitMessage } from '../../../../src/app/worker/protocol.ts';
import type { ServiceEvent, Services } from '../../../../src/app/services.ts';

export const BROWSER_INIT: InitMessage = {
  kind: 'init',
  platform: 'browser',
  relayUrl: 'ws://127.0.0.1:1/relay',
  token: 'test-token',
  coreWasmUrl: '/core.wasm',
};

export interface Channel {
  proxy: Services;
  /** Posts raw data to the worker side, as a buggy page could. */
  postToWorker(data: unknown): void;
  /** Posts raw data to the proxy, as a buggy worker could. */
  postToProxy(data: unknown): void;
  /** Messages the proxy sent, as they were posted. */
  sentByProxy: unknown[];
  terminated(): boolean;
  close(): void;
}

export function connect(boot: BootServices, init: InitMessage = BROWSER_INIT): Channel {
  const { port1, port2 } = new MessageChannel();
  port1.start();
  port2.start();
  // What the worker booted, so that terminate() can stop it as ending a real worker would.
  let booted: Services | null = null;
  let ended = false;
  serveServices(
    {
      postMessage: (message, transfer) => port2.postMessage(message, transfer),
      addEventListener: (type, listener) => port2.addEventListener(type, (event) => listener({ data: event.data })),
    },
    async (init, onStage) => {
      const services = await boot(init, onStage);
      if (services.ok) {
        booted = services.value;
        if (ended) services.value.dispose();
      }
      return services;
    },
  );
  const sentByProxy: unknown[] = [];
  let terminated = false;
  const worker: WorkerLike = {
    postMessage(message, transfer) {
      sentByProxy.push(message);
      port1.postMessage(message, transfer ?? []);
    },
    addEventListener: (type, listener) => port1.addEventListener(type, (event) => listener({ data: event.data })),
    terminate() {
      terminated = true;
      ended = true;
      booted?.dispose();
      port2.close();
    },
  };
  const proxy = createServicesProxy(worker, init);
  return {
    proxy,
    postToWorker: (data) => port1.postMessage(data),
    postToProxy: (data) => port2.postMessage(data),
    sentByProxy,
    terminated: () => terminated,
    close() {
      port1.close();
      port2.close();
    },
  };
}

/** The first event matching `predicate` from now on; fails after `timeoutMs` (a bound, not a wait). */
export function nextEvent(services: Services, predicate: (e: ServiceEvent) => boolean, timeoutMs = 5000): Promise<ServiceEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('no matching event'));
    }, timeoutMs);
    const stop = services.subscribe((e) => {
      if (!predicate(e)) return;
      clearTimeout(timer);
      stop();
      resolve(e);
    });
  });
}
