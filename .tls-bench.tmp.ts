import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { loadCore } from './wasm/core.ts';
import { createTlsClient } from './wasm/tls.ts';
import { connectNodeTcp } from './src/platform/node/node-tcp.ts';
import { openTlsStream } from './src/nvhttp/tls-stream.ts';

const d = '/tmp/tlsfix';
const core = (await loadCore(new Uint8Array(readFileSync(process.argv[2]!)))).value as any;
const cert = new Uint8Array(readFileSync(`${d}/client.crt.der`));
const key = new Uint8Array(readFileSync(`${d}/client.key.der`));
const pin = new Uint8Array(readFileSync(`${d}/server.crt.der`));
const c = createTlsClient(core, { clientCertDer: cert, clientKeyDer: key, pinnedServerCertDer: pin, seed: new Uint8Array(32) });
if (c.ok) { console.log('memory bytes per client', c.value.memoryBytes); c.value.destroy(); }
const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-cert', `${d}/server.crt.pem`, '-key', `${d}/server.key.pem`, '-Verify', '1', '-tls1_2', '-www', '-quiet'], { stdio: ['pipe', 'pipe', 'ignore'] });
let port = 0;
for await (const line of createInterface({ input: child.stdout })) { const m = /^ACCEPT .*:(\d+)$/.exec(line); if (m) { port = Number(m[1]); break; } }
const wall: number[] = []; const cpu: number[] = [];
for (let i = 0; i < 30; i++) {
  const tcp = await connectNodeTcp('127.0.0.1', port, 5000);
  if (!tcp.ok) throw new Error('connect');
  const t0 = performance.now(); const u0 = process.cpuUsage();
  const tls = await openTlsStream(core, tcp.value, { clientCertDer: cert, clientKeyDer: key, pinnedServerCertDer: pin, seed: crypto.getRandomValues(new Uint8Array(32)), timeoutMs: 5000 });
  const u1 = process.cpuUsage(u0); const t1 = performance.now();
  if (!tls.ok) throw new Error(JSON.stringify(tls.error));
  tls.value.close();
  if (i >= 5) { wall.push(t1 - t0); cpu.push((u1.user + u1.system) / 1000); }
}
child.kill();
const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(1);
console.log(`handshake (RSA-2048 client auth, ECDHE-RSA-AES128-GCM) vs openssl s_server, 25 runs: wall median ${med(wall)} ms, min ${Math.min(...wall).toFixed(1)} ms; our process CPU median ${med(cpu)} ms`);
