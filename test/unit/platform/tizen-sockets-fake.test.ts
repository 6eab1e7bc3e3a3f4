// The fake of the Tizen Sockets Extension must enforce the documented rules, or tests of
// the Tizen platform would pass against behaviour no TV has. These tests drive it directly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeRuleViolation,
  createFakeTizen,
  echoPeer,
  greetingPeer,
  silentPeer,
  stalledPeer,
  udpEchoPeer,
  type FakeTizen,
} from '../../fakes/tizen/sockets-manager.fake.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// The fake's global, seen the way the code under test sees it: through loose types.
interface Api {
  SocketsManager: {
    create(family: string, type: string, flags: number): number;
    bind(id: number, address: object): void;
    connect(id: number, address: object): void;
    send(id: number, data: Uint8Array, flags: number): number;
    sendTo(id: number, data: Uint8Array, flags: number, address: object): number;
    recv(id: number, view: Uint8Array, flags: number): number;
    recvFrom(id: number, view: Uint8Array, flags: number): { bytesRead: number; peerAddress: { family: string; bytes: Uint8Array; port: number } };
    poll(fds: object[], timeoutMs: number): number;
    setSockOpt(id: number, level: string, name: string, value: unknown): void;
    getSockOpt(id: number, level: string, name: string): unknown;
    close(id: number): void;
    getErrorCode(id?: number): number;
  };
  NetAddress: new (family: string, bytes: Uint8Array, port: number) => object;
  PollFd: new (id: number, events: number) => { revents: number };
  HostResolverSync: new () => { getHostByName(name: string): { getAddrList(): ArrayLike<{ family: string; bytes: Uint8Array }> } };
  SockFlags: { SOCK_NONBLOCK: number };
  PollFlags: Record<'POLLIN' | 'POLLOUT' | 'POLLERR' | 'POLLHUP' | 'POLLNVAL', number>;
  ErrorCodes: Record<string, number>;
}

function setup(options: Parameters<typeof createFakeTizen>[0] = {}): { fake: FakeTizen; api: Api } {
  const fake = createFakeTizen(options);
  return { fake, api: fake.tizentvwasm as unknown as Api };
}

function v4(api: Api, text: string, port: number): object {
  return new api.NetAddress('af_inet', Uint8Array.from(text.split('.').map(Number)), port);
}

function tcp(api: Api): number {
  return api.SocketsManager.create('af_inet', 'sock_stream', api.SockFlags.SOCK_NONBLOCK);
}

/** Asserts that `call` throws the errno `name` the way the real API reports it. */
function throwsErrno(api: Api, name: string, call: () => unknown): void {
  const code = api.ErrorCodes[name];
  assert.ok(code !== undefined);
  assert.throws(call, (e: unknown) => e instanceof Error && !(e instanceof FakeRuleViolation) && e.message.endsWith(`(${code})`));
  assert.equal(api.SocketsManager.getErrorCode(), code);
}

function pollOne(api: Api, id: number, events: number, timeoutMs: number): number {
  const fd = new api.PollFd(id, events);
  api.SocketsManager.poll([fd], timeoutMs);
  return fd.revents;
}

function connectedTo(api: Api, fake: FakeTizen, port: number): number {
  const id = tcp(api);
  throwsErrno(api, 'EINPROGRESS', () => api.SocketsManager.connect(id, v4(api, '10.0.0.2', port)));
  assert.equal(pollOne(api, id, api.PollFlags.POLLOUT, 0) & api.PollFlags.POLLOUT, api.PollFlags.POLLOUT);
  assert.equal(api.SocketsManager.getSockOpt(id, 'sol_socket', 'so_error'), 0);
  assert.deepEqual(fake.violations, []);
  return id;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('socket calls from a context marked as the main thread are rule violations', () => {
  const { fake, api } = setup({ context: 'main' });
  assert.throws(() => tcp(api), FakeRuleViolation);
  assert.throws(() => new api.HostResolverSync(), FakeRuleViolation);
  assert.equal(fake.violations.length, 2);
  fake.setContext('worker');
  assert.equal(typeof tcp(api), 'number');
});

test('a socket created without SOCK_NONBLOCK is a rule violation', () => {
  const { fake, api } = setup();
  assert.throws(() => api.SocketsManager.create('af_inet', 'sock_stream', 0), FakeRuleViolation);
  assert.match(fake.violations[0] ?? '', /SOCK_NONBLOCK/);
});

test('connect on a non-blocking socket throws EINPROGRESS, then poll reports POLLOUT and so_error is 0', () => {
  const { fake, api } = setup();
  fake.network.listenTcp('10.0.0.2', 47989, echoPeer);
  connectedTo(api, fake, 47989);
});

test('errors carry the platform numbering: with shifted numbers, messages and getErrorCode shift too', () => {
  const { api } = setup({ errnoOffset: 1000 });
  assert.equal(api.ErrorCodes['EINPROGRESS'], 1115);
  const id = tcp(api);
  throwsErrno(api, 'EINPROGRESS', () => api.SocketsManager.connect(id, v4(api, '10.0.0.2', 1)));
  assert.equal(api.SocketsManager.getErrorCode(id), 1115);
});

test('a second connect while connecting is EALREADY, and once connected EISCONN', () => {
  const { fake, api } = setup();
  fake.network.listenTcp('10.0.0.2', 80, silentPeer, { acceptAfterMs: 30 });
  const id = tcp(api);
  throwsErrno(api, 'EINPROGRESS', () => api.SocketsManager.connect(id, v4(api, '10.0.0.2', 80)));
  throwsErrno(api, 'EALREADY', () => api.SocketsManager.connect(id, v4(api, '10.0.0.2', 80)));
  assert.equal(pollOne(api, id, api.PollFlags.POLLOUT, 20), 0);
  assert.equal(fake.nowMs(), 20);
  assert.equal(pollOne(api, id, api.PollFlags.POLLOUT, 20), api.PollFlags.POLLOUT);
  assert.equal(fake.nowMs(), 30, 'poll returns when the connection completes, not at its timeout');
  throwsErrno(api, 'EISCONN', () => api.SocketsManager.connect(id, v4(api, '10.0.0.2', 80)));
});

test('data sent to an echo peer is readable after poll reports POLLIN; recv with nothing pending throws EAGAIN', () => {
  const { fake, api } = setup();
  fake.network.listenTcp('10.0.0.2', 47989, echoPeer);
  const id = connectedTo(api, fake, 47989);
  const view = new Uint8Array(16);
  throwsErrno(api, 'EAGAIN', () => api.SocketsManager.recv(id, view, 0));
  assert.equal(api.SocketsManager.send(id, hex('deadbeef'), 0), 4);
  assert.equal(pollOne(api, id, api.PollFlags.POLLIN, 0), api.PollFlags.POLLIN);
  assert.equal(api.SocketsManager.recv(id, view, 0), 4);
  assert.equal(toHex(view.subarray(0, 4)), 'deadbeef');
  throwsErrno(api, 'EAGAIN', () => api.SocketsManager.recv(id, view, 0));
});

test('one send call takes at most 16 KiB, so callers must handle partial sends', () => {
  const { fake, api } = setup();
  fake.network.listenTcp('10.0.0.2', 1, silentPeer);
  const id = connectedTo(api, fake, 1);
  assert.equal(api.SocketsManager.send(id, new Uint8Array(100_000), 0), 16 * 1024);
});

test('a peer that stops reading makes sends fail with EAGAIN and POLLOUT go away', () => {
  const { fake, api } = setup();
  fake.network.listenTcp('10.0.0.2', 1, stalledPeer);
  const id = connectedTo(api, fake, 1);
  let total = 0;
  for (let i = 0; i < 4; i++) total += api.SocketsManager.send(id, new Uint8Array(16 * 1024), 0);
  assert.equal(total, 64 * 1024);
  throwsErrno(api, 'EAGAIN', () => api.SocketsManager.send(id, new Uint8Array(1), 0));
  assert.equal(pollOne(api, id, api.PollFlags.POLLOUT, 5), 0);
});

test('when the peer closes, recv returns what is left and then 0; a later send is EPIPE', () => {
  const { fake, api } = setup();
  fake.network.listenTcp('10.0.0.2', 1, greetingPeer(hex('0102030405'), 'close'));
  const id = connectedTo(api, fake, 1);
  const view = new Uint8Array(3);
  assert.equal(api.SocketsManager.recv(id, view, 0), 3);
  assert.equal(api.SocketsManager.recv(id, view, 0), 2);
  assert.equal(toHex(view.subarray(0, 2)), '0405');
  assert.equal(api.SocketsManager.recv(id, view, 0), 0);
  assert.equal(pollOne(api, id, api.PollFlags.POLLIN, 0), api.PollFlags.POLLIN);
  throwsErrno(api, 'EPIPE', () => api.SocketsManager.send(id, hex('00'), 0));
});

test('a reset peer makes recv fail with ECONNRESET', () => {
  const { fake, api } = setup();
  fake.network.listenTcp('10.0.0.2', 1, greetingPeer(hex('01'), 'reset'));
  const id = connectedTo(api, fake, 1);
  throwsErrno(api, 'ECONNRESET', () => api.SocketsManager.recv(id, new Uint8Array(4), 0));
});

test('connecting where nobody listens: poll reports POLLOUT|POLLERR|POLLHUP and so_error is ECONNREFUSED once', () => {
  const { api } = setup();
  const id = tcp(api);
  throwsErrno(api, 'EINPROGRESS', () => api.SocketsManager.connect(id, v4(api, '10.0.0.2', 9)));
  const { POLLOUT, POLLERR, POLLHUP } = api.PollFlags;
  assert.equal(pollOne(api, id, POLLOUT, 0), POLLOUT | POLLERR | POLLHUP);
  assert.equal(api.SocketsManager.getSockOpt(id, 'sol_socket', 'so_error'), api.ErrorCodes['ECONNREFUSED']);
  assert.equal(api.SocketsManager.getSockOpt(id, 'sol_socket', 'so_error'), 0);
});

test('an unreachable host fails with EHOSTUNREACH after its delay; a blackhole never completes', () => {
  const { fake, api } = setup();
  fake.network.unreachableHost('10.9.9.9', 10);
  fake.network.blackholeTcp('10.0.0.3', 443);
  const lost = tcp(api);
  const hole = tcp(api);
  throwsErrno(api, 'EINPROGRESS', () => api.SocketsManager.connect(lost, v4(api, '10.9.9.9', 1)));
  throwsErrno(api, 'EINPROGRESS', () => api.SocketsManager.connect(hole, v4(api, '10.0.0.3', 443)));
  assert.notEqual(pollOne(api, lost, api.PollFlags.POLLOUT, 15) & api.PollFlags.POLLERR, 0);
  assert.equal(api.SocketsManager.getSockOpt(lost, 'sol_socket', 'so_error'), api.ErrorCodes['EHOSTUNREACH']);
  assert.equal(pollOne(api, hole, api.PollFlags.POLLOUT, 15), 0);
  assert.equal(fake.nowMs(), 25);
});

test('close of an unknown or already closed id throws EBADF', () => {
  const { api } = setup();
  const id = tcp(api);
  api.SocketsManager.close(id);
  throwsErrno(api, 'EBADF', () => api.SocketsManager.close(id));
  throwsErrno(api, 'EBADF', () => api.SocketsManager.close(999));
  throwsErrno(api, 'EBADF', () => api.SocketsManager.recv(id, new Uint8Array(1), 0));
});

test('poll reports POLLNVAL for an unknown id and advances virtual time by its timeout when nothing is ready', () => {
  const { fake, api } = setup();
  const id = tcp(api);
  assert.equal(pollOne(api, 12345, api.PollFlags.POLLIN, 0), api.PollFlags.POLLNVAL);
  assert.equal(pollOne(api, id, api.PollFlags.POLLIN, 7), 0);
  assert.equal(fake.nowMs(), 7);
});

test('poll waiting forever or longer than the limit is a rule violation', () => {
  const { fake, api } = setup({ maxPollTimeoutMs: 20 });
  const id = tcp(api);
  assert.throws(() => pollOne(api, id, api.PollFlags.POLLIN, -1), FakeRuleViolation);
  assert.throws(() => pollOne(api, id, api.PollFlags.POLLIN, 21), FakeRuleViolation);
  assert.equal(fake.violations.length, 2);
});

test('polling too long without returning to the event loop is a rule violation; yielding resets the budget', async () => {
  const { fake, api } = setup({ maxBlockedMsPerTurn: 50 });
  const id = tcp(api);
  for (let i = 0; i < 5; i++) {
    pollOne(api, id, api.PollFlags.POLLIN, 10);
    await turn();
  }
  assert.deepEqual(fake.violations, []);
  for (let i = 0; i < 5; i++) pollOne(api, id, api.PollFlags.POLLIN, 10);
  assert.throws(() => pollOne(api, id, api.PollFlags.POLLIN, 10), FakeRuleViolation);
  // Microtasks are not a turn of the event loop.
  await turn();
  await Promise.resolve();
  for (let i = 0; i < 5; i++) {
    pollOne(api, id, api.PollFlags.POLLIN, 10);
    await Promise.resolve();
  }
  assert.throws(() => pollOne(api, id, api.PollFlags.POLLIN, 10), FakeRuleViolation);
});

test('descriptors and addresses not made by the API constructors are rule violations', () => {
  const { fake, api } = setup();
  const id = tcp(api);
  assert.throws(() => api.SocketsManager.poll([{ socketId: id, events: 1, revents: 0 }], 0), FakeRuleViolation);
  assert.throws(() => api.SocketsManager.connect(id, { family: 'af_inet', bytes: Uint8Array.of(1, 2, 3, 4), port: 1 }), FakeRuleViolation);
  assert.equal(fake.violations.length, 2);
});

test('addresses of the wrong size or family are errors', () => {
  const { api } = setup();
  const id = tcp(api);
  throwsErrno(api, 'EINVAL', () => api.SocketsManager.connect(id, new api.NetAddress('af_inet', Uint8Array.of(1, 2, 3), 1)));
  throwsErrno(api, 'EAFNOSUPPORT', () => api.SocketsManager.connect(id, new api.NetAddress('af_inet6', new Uint8Array(16), 1)));
});

test('UDP: a datagram to an echo peer comes back from the peer address, cut to the view when longer', () => {
  const { fake, api } = setup();
  fake.network.bindUdp('10.0.0.2', 47998, udpEchoPeer);
  const id = api.SocketsManager.create('af_inet', 'sock_dgram', api.SockFlags.SOCK_NONBLOCK);
  api.SocketsManager.bind(id, v4(api, '0.0.0.0', 0));
  const view = new Uint8Array(64);
  throwsErrno(api, 'EAGAIN', () => api.SocketsManager.recvFrom(id, view, 0));
  assert.equal(api.SocketsManager.sendTo(id, hex('8001cafe'), 0, v4(api, '10.0.0.2', 47998)), 4);
  assert.equal(pollOne(api, id, api.PollFlags.POLLIN, 0), api.PollFlags.POLLIN);
  const got = api.SocketsManager.recvFrom(id, view, 0);
  assert.equal(got.bytesRead, 4);
  assert.equal(toHex(view.subarray(0, 4)), '8001cafe');
  assert.equal(toHex(got.peerAddress.bytes), '0a000002');
  assert.equal(got.peerAddress.port, 47998);
  api.SocketsManager.sendTo(id, new Uint8Array(100), 0, v4(api, '10.0.0.2', 47998));
  assert.equal(api.SocketsManager.recvFrom(id, new Uint8Array(10), 0).bytesRead, 10);
});

test('UDP: broadcast needs so_broadcast, as on Linux', () => {
  const { fake, api } = setup();
  const id = api.SocketsManager.create('af_inet', 'sock_dgram', api.SockFlags.SOCK_NONBLOCK);
  throwsErrno(api, 'EACCES', () => api.SocketsManager.sendTo(id, hex('ff'), 0, v4(api, '255.255.255.255', 9)));
  api.SocketsManager.setSockOpt(id, 'sol_socket', 'so_broadcast', 1);
  api.SocketsManager.sendTo(id, hex('ff'), 0, v4(api, '255.255.255.255', 9));
  assert.deepEqual(fake.network.sentDatagrams.map((d) => [d.host, d.port, toHex(d.bytes)]), [['255.255.255.255', 9, 'ff']]);
});

test('unknown socket options are ENOPROTOOPT; tcp_nodelay on UDP is EOPNOTSUPP', () => {
  const { api } = setup();
  const udp = api.SocketsManager.create('af_inet', 'sock_dgram', api.SockFlags.SOCK_NONBLOCK);
  throwsErrno(api, 'ENOPROTOOPT', () => api.SocketsManager.setSockOpt(udp, 'sol_socket', 'so_nonsense', 1));
  throwsErrno(api, 'EOPNOTSUPP', () => api.SocketsManager.setSockOpt(udp, 'ipproto_tcp', 'tcp_nodelay', 1));
});

test('the host resolver knows registered names and throws for others', () => {
  const { fake, api } = setup();
  fake.network.addHostName('gaming-pc.lan', '192.168.1.20');
  const list = Array.from(new api.HostResolverSync().getHostByName('Gaming-PC.lan').getAddrList());
  assert.deepEqual(list.map((a) => [a.family, toHex(a.bytes)]), [['af_inet', 'c0a80114']]);
  assert.throws(() => new api.HostResolverSync().getHostByName('nowhere.lan'));
});
