// The core's TLS client over real loopback sockets, against peers nobody here wrote:
// `openssl s_server` and node:tls (both OpenSSL 3), plus raw TCP servers that misbehave.
// Certificates are made by the openssl CLI for each run. Needs build/wasm/core.wasm
// (`bash native/build.sh wasm`, part of `npm test`); GSC_CORE_WASM may point elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { loadCore, type Core } from '../../../wasm/core.ts';
import { connectNodeTcp } from '../../../src/platform/node/node-tcp.ts';
import type { TcpConnection } from '../../../src/platform/platform.ts';
import { openTlsStream, type TlsError } from '../../../src/nvhttp/tls-stream.ts';

const wasmPath = process.env['GSC_CORE_WASM'] ?? new URL('../../../build/wasm/core.wasm', import.meta.url).pathname;
// Generous for a loaded 2-core machine; nothing here waits this long when it works.
const TIMEOUT_MS = 10_000;
const TEST_OPTIONS = { timeout: 30_000 };

interface Identity {
  certPem: string;
  keyPem: string;
  certDer: Uint8Array;
  /** PKCS#1 DER. */
  keyDer: Uint8Array;
  certPath: string;
  keyPath: string;
}

let dir = '';
let core: Core;
let client: Identity;
let host: Identity;
let otherHost: Identity;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gs-tls-'));
  client = makeIdentity('client', 'NVIDIA GameStream Client');
  host = makeIdentity('host', 'Sunshine Gamestream Host');
  otherHost = makeIdentity('other', 'Sunshine Gamestream Host');
  const loaded = await loadCore(new Uint8Array(readFileSync(wasmPath)));
  if (!loaded.ok) assert.fail(loaded.error.detail);
  core = loaded.value;
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A self-signed RSA-2048 identity shaped like GameStream's (control-plane.md §2.1). */
function makeIdentity(name: string, commonName: string): Identity {
  const keyPath = join(dir, `${name}.key.pem`);
  const certPath = join(dir, `${name}.crt.pem`);
  const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-subj', `/CN=${commonName}`, '-days', '3650', '-sha256');
  return {
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
    certDer: new Uint8Array(openssl('x509', '-in', certPath, '-outform', 'DER')),
    keyDer: new Uint8Array(openssl('rsa', '-in', keyPath, '-traditional', '-outform', 'DER')),
    certPath,
    keyPath,
  };
}

function seed(first: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (first * 31 + i) & 0xff);
}

async function connect(port: number): Promise<TcpConnection> {
  const tcp = await connectNodeTcp('127.0.0.1', port, TIMEOUT_MS);
  if (!tcp.ok) assert.fail(JSON.stringify(tcp.error));
  return tcp.value;
}

/** Hands out what `tcp` received at most `maxBytes` at a time, as a slow network would. */
function trickling(tcp: TcpConnection, maxBytes: number): TcpConnection {
  let held: Uint8Array | null = null;
  return {
    write: (bytes) => tcp.write(bytes),
    async read(timeoutMs) {
      if (held === null) {
        const r = await tcp.read(timeoutMs);
        if (!r.ok || r.value === null) return r;
        held = r.value;
      }
      const out = held.subarray(0, maxBytes);
      held = held.length > maxBytes ? held.subarray(maxBytes) : null;
      return { ok: true, value: out };
    },
    close: () => tcp.close(),
  };
}

async function openTls(port: number, pinned: Uint8Array, timeoutMs = TIMEOUT_MS, wrap = (tcp: TcpConnection) => tcp) {
  return openTlsStream(core, wrap(await connect(port)), {
    clientCertDer: client.certDer,
    clientKeyDer: client.keyDer,
    pinnedServerCertDer: pinned,
    seed: seed(port),
    timeoutMs,
  });
}

async function openTlsOk(port: number, pinned: Uint8Array): Promise<TcpConnection> {
  const tls = await openTls(port, pinned);
  if (!tls.ok) assert.fail(`TLS failed: ${JSON.stringify(tls.error)}`);
  return tls.value;
}

function tlsFailure(result: { ok: true } | { ok: false; error: TlsError }): TlsError {
  assert.equal(result.ok, false, 'the TLS handshake succeeded');
  return (result as { ok: false; error: TlsError }).error;
}

/** Reads plaintext until close_notify (at most 10,000 reads). */
async function readAll(conn: TcpConnection): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 10_000; i++) {
    const r = await conn.read(TIMEOUT_MS);
    if (!r.ok) assert.fail(`read failed: ${JSON.stringify(r.error)}`);
    if (r.value === null) return Buffer.concat(parts);
    parts.push(r.value);
  }
  assert.fail('the stream did not end');
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.close();
  await once(server, 'close');
}

/** Starts `openssl s_server` and resolves once it prints the address it listens on. */
async function startOpensslServer(args: string[]): Promise<{ port: number; process: ChildProcess }> {
  const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill(), TIMEOUT_MS);
  try {
    for await (const line of lines) {
      const match = /^ACCEPT .*:(\d+)$/.exec(line);
      if (match !== null) return { port: Number(match[1]), process: child };
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error('openssl s_server ended before it accepted connections');
}

/** A TCP relay to `targetPort` that records what the client sent, up to its TCP close. */
async function recordingRelay(targetPort: number): Promise<{ server: Server; port: number; clientDone: Promise<Buffer> }> {
  let resolveDone: (bytes: Buffer) => void = () => {};
  const clientDone = new Promise<Buffer>((resolve) => {
    resolveDone = resolve;
  });
  const server = createNetServer((inbound: Socket) => {
    const sent: Buffer[] = [];
    const outbound = netConnect(targetPort, '127.0.0.1');
    inbound.on('data', (chunk: Buffer) => {
      sent.push(chunk);
      outbound.write(chunk);
    });
    outbound.on('data', (chunk: Buffer) => inbound.write(chunk));
    inbound.on('close', () => {
      resolveDone(Buffer.concat(sent));
      outbound.destroy();
    });
    inbound.on('error', () => {});
    outbound.on('error', () => inbound.destroy());
  });
  return { server, port: await listen(server), clientDone };
}

/** The content types of the TLS records in `bytes`, in order (RFC 5246 §6.2.1 headers). */
function recordTypes(bytes: Buffer): number[] {
  const types: number[] = [];
  for (let at = 0; at + 5 <= bytes.length && types.length < 10_000; at += 5 + bytes.readUInt16BE(at + 3)) {
    types.push(bytes[at] ?? -1);
  }
  return types;
}

/** A raw TCP server that reads the ClientHello, then answers with `reply` and ends. */
async function misbehavingServer(reply: Buffer, end: boolean): Promise<{ server: Server; port: number; closed: Promise<void> }> {
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const server = createNetServer((socket: Socket) => {
    socket.once('data', () => (end ? socket.end(reply) : socket.write(reply)));
    socket.on('error', () => {});
    socket.on('close', () => resolveClosed());
  });
  return { server, port: await listen(server), closed };
}

test('openssl s_server requiring a client certificate completes the handshake and answers an HTTP GET', TEST_OPTIONS, async () => {
  const server = await startOpensslServer([
    '-cert', host.certPath, '-key', host.keyPath, '-Verify', '1', '-tls1_2', '-www', '-naccept', '1',
  ]);
  try {
    const conn = await openTlsOk(server.port, host.certDer);
    const written = await conn.write(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
    assert.deepEqual(written, { ok: true, value: undefined });
    const page = (await readAll(conn)).toString('latin1');
    conn.close();
    assert.match(page, /^HTTP\/1\.0 200 ok\r\n/);
    // s_server's status page shows the negotiated session.
    assert.match(page, /Protocol\s*: TLSv1\.2/);
    assert.match(page, /ECDHE-RSA-AES\d+-GCM-SHA\d+/);
  } finally {
    server.process.kill();
  }
});

test('a node:tls server sees exactly our client certificate, and plaintext flows both ways', TEST_OPTIONS, async () => {
  // Larger than one of our 4 KiB records and than one of the server's 16 KiB records.
  const request = Buffer.alloc(20_000, 'q');
  request.write('hello host\n');
  let peerCertDer: Uint8Array | null = null;
  let received = Buffer.alloc(0);
  const server = createTlsServer({ key: host.keyPem, cert: host.certPem, requestCert: true, rejectUnauthorized: false }, (socket: TLSSocket) => {
    peerCertDer = new Uint8Array(socket.getPeerCertificate(false).raw);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length === request.length) socket.end(Buffer.concat([received, received]));
    });
    socket.on('error', () => {});
  });
  const port = await listen(server);
  try {
    const conn = await openTlsOk(port, host.certDer);
    assert.deepEqual(await conn.write(request), { ok: true, value: undefined });
    const answer = await readAll(conn);
    conn.close();
    assert.ok(peerCertDer !== null, 'the server saw no client certificate');
    assert.equal(Buffer.from(peerCertDer).toString('hex'), Buffer.from(client.certDer).toString('hex'));
    assert.equal(received.length, request.length);
    assert.ok(received.equals(request));
    assert.ok(answer.equals(Buffer.concat([request, request])));
  } finally {
    await closeServer(server);
  }
});

test('a host presenting a certificate other than the pinned one is refused, and the socket is closed', TEST_OPTIONS, async () => {
  let serverSideClosed: Promise<unknown> = Promise.resolve();
  const server = createTlsServer({ key: host.keyPem, cert: host.certPem, requestCert: true, rejectUnauthorized: false });
  server.on('connection', (socket: Socket) => {
    serverSideClosed = once(socket, 'close');
  });
  server.on('tlsClientError', () => {});
  const port = await listen(server);
  try {
    const error = tlsFailure(await openTls(port, otherHost.certDer));
    assert.equal(error.kind, 'tls');
    assert.equal(error.kind === 'tls' && error.reason, 'pin-mismatch');
    assert.match(error.detail, /pinned certificate mismatch/);
    // The client hung up: the server's end of the connection closes without any timeout.
    await serverSideClosed;
  } finally {
    await closeServer(server);
  }
});

test('the handshake and the data survive the host bytes arriving one at a time', TEST_OPTIONS, async () => {
  const server = createTlsServer({ key: host.keyPem, cert: host.certPem, requestCert: true, rejectUnauthorized: false }, (socket: TLSSocket) => {
    socket.on('data', (chunk: Buffer) => socket.end(Buffer.concat([chunk, chunk])));
    socket.on('error', () => {});
  });
  const port = await listen(server);
  try {
    const tls = await openTls(port, host.certDer, TIMEOUT_MS, (tcp) => trickling(tcp, 1));
    if (!tls.ok) assert.fail(JSON.stringify(tls.error));
    assert.deepEqual(await tls.value.write(new TextEncoder().encode('one byte at a time ')), { ok: true, value: undefined });
    assert.equal((await readAll(tls.value)).toString(), 'one byte at a time one byte at a time ');
    tls.value.close();
  } finally {
    await closeServer(server);
  }
});

test('an unusable pinned certificate is refused before any byte is sent, and the socket is closed', TEST_OPTIONS, async () => {
  const { server, port, closed } = await misbehavingServer(Buffer.alloc(0), false);
  try {
    const error = tlsFailure(await openTls(port, Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01])));
    assert.equal(error.kind === 'tls' && error.reason, 'bad-pinned-cert');
    assert.match(error.detail, /pinned host certificate/);
    await closed;
  } finally {
    await closeServer(server);
  }
});

test('close sends close_notify before closing TCP, and the stream refuses use after close', TEST_OPTIONS, async () => {
  const tlsServer = createTlsServer({ key: host.keyPem, cert: host.certPem, requestCert: true, rejectUnauthorized: false }, (socket: TLSSocket) => {
    socket.on('error', () => {});
  });
  const relay = await recordingRelay(await listen(tlsServer));
  try {
    const conn = await openTlsOk(relay.port, host.certDer);
    conn.close();
    const types = recordTypes(await relay.clientDone);
    // ... handshake (22), change_cipher_spec (20), Finished (22), then the alert (21).
    assert.deepEqual(types.slice(-1), [21]);
    assert.ok(types.includes(20), `record types ${types.join(',')}`);
    const write = await conn.write(new Uint8Array([1]));
    assert.equal(write.ok, false);
    assert.equal(!write.ok && write.error.kind, 'closed');
    const read = await conn.read(100);
    assert.equal(!read.ok && read.error.kind, 'closed');
  } finally {
    await closeServer(relay.server);
    await closeServer(tlsServer);
  }
});

test('a read with no data from the host fails with timeout and the stream stays usable', TEST_OPTIONS, async () => {
  const server = createTlsServer({ key: host.keyPem, cert: host.certPem, requestCert: true, rejectUnauthorized: false }, (socket: TLSSocket) => {
    socket.on('data', (chunk: Buffer) => socket.end(chunk));
    socket.on('error', () => {});
  });
  const port = await listen(server);
  try {
    const conn = await openTlsOk(port, host.certDer);
    const idle = await conn.read(150);
    assert.equal(idle.ok, false);
    assert.equal(!idle.ok && idle.error.kind, 'timeout');
    assert.deepEqual(await conn.write(new TextEncoder().encode('echo')), { ok: true, value: undefined });
    assert.equal((await readAll(conn)).toString(), 'echo');
    conn.close();
  } finally {
    await closeServer(server);
  }
});

test('closing the stream while a read waits ends that read as closed', TEST_OPTIONS, async () => {
  const server = createTlsServer({ key: host.keyPem, cert: host.certPem, requestCert: true, rejectUnauthorized: false }, (socket: TLSSocket) => {
    socket.on('error', () => {});
  });
  const port = await listen(server);
  try {
    const conn = await openTlsOk(port, host.certDer);
    const pending = conn.read(TIMEOUT_MS);
    conn.close();
    const read = await pending;
    assert.equal(!read.ok && read.error.kind, 'closed');
  } finally {
    await closeServer(server);
  }
});

const HOSTILE_SERVERS: { name: string; reply: string; end: boolean; reason: string; detail: RegExp }[] = [
  // A handshake record header announcing 64 bytes, of which 6 arrive.
  { name: 'a truncated record, then the end of the stream', reply: '16030300400200003c0303', end: true, reason: 'truncated-record', detail: /truncated record/ },
  { name: 'plain text instead of TLS', reply: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n').toString('hex'), end: true, reason: 'not-tls', detail: /did not answer in TLS/ },
  { name: 'a record too long for TLS', reply: '160303ffff' + '00'.repeat(64), end: false, reason: 'bad-record', detail: /corrupt TLS record/ },
  { name: 'a fatal alert', reply: '15030300020228', end: false, reason: 'alert-received', detail: /alert 40 \(handshake_failure\)/ },
  { name: 'nothing at all, then the end of the stream', reply: '', end: true, reason: 'peer-closed', detail: /closed the connection during the TLS handshake/ },
];

for (const c of HOSTILE_SERVERS) {
  test(`a server answering with ${c.name} gives a clear TLS error`, TEST_OPTIONS, async () => {
    const { server, port, closed } = await misbehavingServer(Buffer.from(c.reply, 'hex'), c.end);
    try {
      const error = tlsFailure(await openTls(port, host.certDer));
      assert.equal(error.kind, 'tls', JSON.stringify(error));
      assert.equal(error.kind === 'tls' && error.reason, c.reason);
      assert.match(error.detail, c.detail);
      await closed;
    } finally {
      await closeServer(server);
    }
  });
}

test('a server that accepts and never answers ends the handshake with a timeout', TEST_OPTIONS, async () => {
  const { server, port, closed } = await misbehavingServer(Buffer.alloc(0), false);
  try {
    const error = tlsFailure(await openTls(port, host.certDer, 300));
    assert.equal(error.kind, 'timeout');
    assert.match(error.detail, /TLS handshake/);
    await closed;
  } finally {
    await closeServer(server);
  }
});
