// The TLS stream's shell logic on fake time and a scripted TCP connection, with the real
// engine from build/wasm/core.wasm (GSC_CORE_WASM may point elsewhere); no sockets. The
// certificate comes from the openssl CLI.
// Interop with real TLS servers is in test/integration/nvhttp/tls-stream.test.ts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, type Core } from '../../../wasm/core.ts';
import { openTlsStream } from '../../../src/nvhttp/tls-stream.ts';
import { err, ok } from '../../../src/lib/result.ts';
import type { TcpConnection } from '../../../src/platform/platform.ts';

const wasmPath = process.env['GSC_CORE_WASM'] ?? new URL('../../../build/wasm/core.wasm', import.meta.url).pathname;
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

let core: Core;
let identity: { certDer: Uint8Array; keyDer: Uint8Array };

before(async () => {
  const loaded = await loadCore(new Uint8Array(readFileSync(wasmPath)));
  if (!loaded.ok) assert.fail(loaded.error.detail);
  core = loaded.value;
  identity = makeIdentity();
});

/** A self-signed RSA-2048 certificate (also used as the pin) and its PKCS#1 key, via openssl. */
function makeIdentity(): { certDer: Uint8Array; keyDer: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'gs-tls-unit-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    const openssl = (...args: string[]): Uint8Array => new Uint8Array(execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-subj', '/CN=tls-stream unit', '-days', '1');
    return {
      certDer: openssl('x509', '-in', certPath, '-outform', 'DER'),
      keyDer: openssl('rsa', '-in', keyPath, '-traditional', '-outform', 'DER'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ScriptedTcp extends TcpConnection {
  readonly written: Uint8Array[];
  readonly reads: number;
  readonly closed: boolean;
}

/** A fake clock, and a connection whose every read takes `stepMs` of it and returns `next()`. */
function scriptedTcp(next: (readIndex: number) => Uint8Array | null | 'timeout', stepMs: number) {
  let nowMs = 0;
  let reads = 0;
  let closed = false;
  const written: Uint8Array[] = [];
  const tcp: ScriptedTcp = {
    written,
    get reads() {
      return reads;
    },
    get closed() {
      return closed;
    },
    write: (bytes) => {
      written.push(Uint8Array.from(bytes));
      return Promise.resolve(ok(undefined));
    },
    read: (timeoutMs) => {
      const answer = next(reads++);
      if (answer === 'timeout') {
        nowMs += timeoutMs;
        return Promise.resolve(err({ kind: 'timeout', detail: 'scripted' }));
      }
      nowMs += Math.min(stepMs, timeoutMs);
      return Promise.resolve(ok(answer));
    },
    close: () => {
      closed = true;
    },
  };
  return { tcp, clock: { nowMs: () => nowMs } };
}

function open(tcp: TcpConnection, clock: { nowMs(): number }, seedByte: number, timeoutMs: number) {
  return openTlsStream(core, tcp, {
    clientCertDer: identity.certDer,
    clientKeyDer: identity.keyDer,
    pinnedServerCertDer: identity.certDer,
    seed: new Uint8Array(32).fill(seedByte),
    timeoutMs,
    clock,
  });
}

test('the handshake deadline bounds the whole handshake, not each read', async () => {
  // A host that starts a 16,000-byte ServerHello, then sends its random one byte every 50 ms.
  const { tcp, clock } = scriptedTcp((i) => (i === 0 ? hex('1603033e80 02003e7c 0303') : i < 10_000 ? hex('5a') : null), 50);
  const result = await open(tcp, clock, 1, 1000);
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.equal(!result.ok && result.error.kind, 'timeout', JSON.stringify(result));
  assert.ok(tcp.reads <= 21, `${tcp.reads} reads`);
  assert.equal(tcp.closed, true);
});

test('the ClientHello offers TLS 1.2 only, with ECDHE and AEAD cipher suites', async () => {
  const { tcp, clock } = scriptedTcp(() => 'timeout', 0);
  const result = await open(tcp, clock, 2, 1000);
  assert.equal(!result.ok && result.error.kind, 'timeout');
  const hello = Buffer.concat(tcp.written);
  assert.equal(hello[0], 22, 'a handshake record');
  assert.equal(hello[5], 1, 'a ClientHello');
  assert.equal(hello.readUInt16BE(9), 0x0303, 'client_version TLS 1.2');
  const sessionIdBytes = hello[43] ?? 0;
  const suitesAt = 44 + sessionIdBytes;
  const suitesBytes = hello.readUInt16BE(suitesAt);
  const suites: string[] = [];
  for (let at = suitesAt + 2; at < suitesAt + 2 + suitesBytes; at += 2) suites.push(hello.subarray(at, at + 2).toString('hex'));
  // c02f/c030: ECDHE-RSA AES-GCM; c02b/c02c: ECDHE-ECDSA AES-GCM; cca8/cca9: ChaCha20-Poly1305;
  // 00ff: the renegotiation-info signalling value.
  assert.deepEqual(suites.filter((s) => s !== '00ff').sort(), ['c02b', 'c02c', 'c02f', 'c030', 'cca8', 'cca9']);
});

test('the same seed gives the same ClientHello, and another seed another one', async () => {
  const hello = async (seedByte: number): Promise<string> => {
    const { tcp, clock } = scriptedTcp(() => 'timeout', 0);
    await open(tcp, clock, seedByte, 10);
    return Buffer.concat(tcp.written).toString('hex');
  };
  const first = await hello(3);
  assert.equal(await hello(3), first);
  assert.notEqual(await hello(4), first);
});
