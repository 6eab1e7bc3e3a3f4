// A TCP listener on loopback that never accepts: its event loop (in a worker thread) is
// frozen right after it starts listening, so once its accept queue is full the kernel
// silently drops further connection attempts (Linux queues backlog + 1 = 2). A deterministic
// connect timeout, on loopback.

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export async function startBlackhole(): Promise<{ port: number; stop: () => Promise<void> }> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const server = require('node:net').createServer();
    server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      Atomics.wait(workerData, 0, 0, 60000);
      server.close();
    });`;
  const worker = new Worker(source, { eval: true, workerData: gate });
  const [port] = (await once(worker, 'message')) as [number];
  return {
    port,
    stop: async () => {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await worker.terminate();
    },
  };
}
