// A fake of the Tizen Sockets Extension (`tizentvwasm` sockets part, shared/platform/tizen.md
// section 2) over an in-memory network, for testing the Tizen platform off a TV.
//
// It enforces the documented rules and our design's rules, and fails loudly when one is
// broken, by throwing a FakeRuleViolation (never an errno, so the code under test cannot
// mistake it for a network condition) and recording it in `violations`:
// - socket calls from a context marked as the main thread (workers only, section 2.1);
// - a socket created without SOCK_NONBLOCK (a blocking call stalls the whole worker);
// - poll with a negative (forever) or long timeout, and more than `maxBlockedMsPerTurn`
//   of polling without returning to the event loop (section 2.7);
// - descriptors not made by PollFd, addresses not made by NetAddress.
// Everything else behaves as POSIX does on Linux, with errors thrown the way the glue
// describes: an Error whose message ends with "(code)", and getErrorCode() returning it.
// connect on a non-blocking socket throws EINPROGRESS; recv with nothing pending throws
// EAGAIN; close of an unknown id throws EBADF; poll fills revents.
//
// Time is virtual: a poll that finds nothing ready advances the fake clock by its timeout
// (or to the next scheduled event), so timeouts are reached without waiting.

const LINUX_ERRNO: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, EBADF: 9, EAGAIN: 11, EWOULDBLOCK: 11, ENOMEM: 12, EACCES: 13,
  EFAULT: 14, EINVAL: 22, EMFILE: 24, EPIPE: 32, ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90, ENOPROTOOPT: 92,
  EOPNOTSUPP: 95, EAFNOSUPPORT: 97, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101,
  ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ESHUTDOWN: 108,
  ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTDOWN: 112, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115,
};
/** Linux's poll bits. */
const POLL = { POLLIN: 0x1, POLLPRI: 0x2, POLLOUT: 0x4, POLLERR: 0x8, POLLHUP: 0x10, POLLNVAL: 0x20, POLLRDNORM: 0x40, POLLWRNORM: 0x100 };
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
/** Bytes one send call accepts, so callers must handle partial sends. */
const MAX_SEND_PER_CALL_BYTES = 16 * 1024;
/** What a peer that stopped reading lets in before sends fail with EAGAIN. */
const STALLED_PEER_WINDOW_BYTES = 64 * 1024;
const MAX_UDP_PAYLOAD_BYTES = 65507;
const MAX_OPEN_SOCKETS = 64;
const FIRST_EPHEMERAL_PORT = 49152;

export class FakeRuleViolation extends Error {}

export interface FakeTizenOptions {
  /** Socket calls from 'main' are violations. Defaults to 'worker'. */
  context?: 'worker' | 'main';
  /** Added to every Linux errno number: any value but 0 proves callers compare by name. */
  errnoOffset?: number;
  /** The longest single poll allowed. */
  maxPollTimeoutMs?: number;
  /** The most polling time allowed between two turns of the event loop. */
  maxBlockedMsPerTurn?: number;
}

/** What a listening peer sees of one accepted connection. */
export interface FakePeerConnection {
  write(bytes: Uint8Array): void;
  /** Orderly close of both directions: the client reads what is left, then 0. */
  end(): void;
  /** The client's next recv fails with ECONNRESET. */
  reset(): void;
  /** The peer stops reading: the client's sends fill a window, then fail with EAGAIN. */
  stopReading(): void;
  onData: ((bytes: Uint8Array) => void) | null;
  /** Called when the client closes its socket. */
  onClose: (() => void) | null;
  readonly received: Uint8Array[];
}

export type FakeTcpPeer = (connection: FakePeerConnection) => void;

export interface FakeDatagramSource {
  host: string;
  port: number;
}

export type FakeUdpPeer = (bytes: Uint8Array, from: FakeDatagramSource, reply: (bytes: Uint8Array) => void) => void;

export interface FakeNetwork {
  listenTcp(host: string, port: number, peer: FakeTcpPeer, options?: { acceptAfterMs?: number }): void;
  /** A host that receives the SYN and never answers: connect stays in progress forever. */
  blackholeTcp(host: string, port: number): void;
  /** Connections to this host fail with EHOSTUNREACH after `afterMs`. */
  unreachableHost(host: string, afterMs?: number): void;
  bindUdp(host: string, port: number, peer: FakeUdpPeer): void;
  addHostName(name: string, host: string): void;
  /** Every datagram sent, delivered or not. */
  readonly sentDatagrams: Array<{ host: string; port: number; bytes: Uint8Array }>;
}

export interface FakeTizen {
  /** Shaped like the `tizentvwasm` global. */
  readonly tizentvwasm: object;
  readonly network: FakeNetwork;
  nowMs(): number;
  setContext(context: 'worker' | 'main'): void;
  readonly violations: string[];
  openSocketIds(): number[];
}

export const echoPeer: FakeTcpPeer = (conn) => {
  conn.onData = (bytes) => conn.write(bytes);
};
export const silentPeer: FakeTcpPeer = () => undefined;
export const stalledPeer: FakeTcpPeer = (conn) => conn.stopReading();
export function greetingPeer(bytes: Uint8Array, then: 'close' | 'stay' | 'reset'): FakeTcpPeer {
  return (conn) => {
    conn.write(bytes);
    if (then === 'close') conn.end();
    if (then === 'reset') conn.reset();
  };
}
export const udpEchoPeer: FakeUdpPeer = (bytes, _from, reply) => reply(bytes);

type Family = 'af_inet' | 'af_inet6';
type Outcome = { kind: 'accept'; peer: FakeTcpPeer } | { kind: 'fail'; errno: string } | { kind: 'never' };

interface Endpoint {
  bytes: Uint8Array;
  port: number;
}

interface FakeSocket {
  id: number;
  family: Family;
  type: 'sock_stream' | 'sock_dgram';
  options: Map<string, unknown>;
  local: Endpoint | null;
  lastError: number;
  // Stream state.
  state: 'fresh' | 'connecting' | 'connected' | 'failed';
  connectDueMs: number | null;
  outcome: Outcome | null;
  peer: PeerSide | null;
  inbound: Uint8Array[];
  peerEnded: boolean;
  resetPending: boolean;
  pendingError: string | null;
  // Datagram state.
  datagrams: Array<{ bytes: Uint8Array; from: Endpoint }>;
}

interface PeerSide extends FakePeerConnection {
  readonly stalled: boolean;
  readonly windowLeftBytes: number;
  take(bytes: number): void;
  readonly closedByClient: boolean;
  markClientClosed(): void;
}

export function createFakeTizen(options: FakeTizenOptions = {}): FakeTizen {
  let context = options.context ?? 'worker';
  const errnoOffset = options.errnoOffset ?? 0;
  const maxPollTimeoutMs = options.maxPollTimeoutMs ?? 20;
  const maxBlockedMsPerTurn = options.maxBlockedMsPerTurn ?? 50;
  const violations: string[] = [];
  const sockets = new Map<number, FakeSocket>();
  const tcpListeners = new Map<string, { outcome: Outcome; latencyMs: number }>();
  const unreachable = new Map<string, number>();
  const udpPeers = new Map<string, FakeUdpPeer>();
  const names = new Map<string, Uint8Array>();
  const sentDatagrams: Array<{ host: string; port: number; bytes: Uint8Array }> = [];
  const errorCodes: Record<string, number> = {};
  for (const [name, code] of Object.entries(LINUX_ERRNO)) errorCodes[name] = code + errnoOffset;
  let nowMs = 0;
  let nextId = 3; // like file descriptors, ids do not start at 0
  let nextPort = FIRST_EPHEMERAL_PORT;
  let lastError = 0;
  let blockedThisTurnMs = 0;
  let turnResetScheduled = false;

  function violation(message: string): never {
    violations.push(message);
    throw new FakeRuleViolation(message);
  }

  function fail(method: string, name: string, socket?: FakeSocket): never {
    const code = errorCodes[name];
    if (code === undefined) throw new Error(`fake: unknown errno ${name}`);
    lastError = code;
    if (socket !== undefined) socket.lastError = code;
    throw new Error(`SocketsManager.${method} failed: ${name} (${code})`);
  }

  function enter(method: string): void {
    if (context === 'main') violation(`SocketsManager.${method} called on the main thread; the Sockets Extension exists in workers only`);
    if (!turnResetScheduled) {
      turnResetScheduled = true;
      setImmediate(() => {
        turnResetScheduled = false;
        blockedThisTurnMs = 0;
      });
    }
    runDueEvents();
  }

  function socketOf(method: string, id: unknown): FakeSocket {
    const socket = typeof id === 'number' ? sockets.get(id) : undefined;
    if (socket === undefined) fail(method, 'EBADF');
    return socket;
  }

  class NetAddress {
    constructor(
      readonly family: string,
      readonly bytes: Uint8Array,
      readonly port: number,
    ) {}
  }

  class PollFd {
    revents = 0;
    constructor(
      readonly socketId: number,
      readonly events: number,
    ) {}
  }

  function endpointOf(method: string, address: unknown, socket: FakeSocket): Endpoint {
    if (!(address instanceof NetAddress)) violation(`SocketsManager.${method}: the address was not made with tizentvwasm.NetAddress`);
    if (!(address.bytes instanceof Uint8Array) || !Number.isInteger(address.port) || address.port < 0 || address.port > 65535) {
      fail(method, 'EINVAL', socket);
    }
    if (address.family !== socket.family) fail(method, 'EAFNOSUPPORT', socket);
    if (address.bytes.length !== (socket.family === 'af_inet' ? 4 : 16)) fail(method, 'EINVAL', socket);
    return { bytes: Uint8Array.from(address.bytes), port: address.port };
  }

  function runDueEvents(): void {
    for (const socket of sockets.values()) {
      if (socket.state !== 'connecting' || socket.connectDueMs === null || socket.connectDueMs > nowMs) continue;
      const outcome = socket.outcome;
      socket.connectDueMs = null;
      if (outcome === null || outcome.kind === 'never') continue;
      if (outcome.kind === 'fail') {
        socket.state = 'failed';
        socket.pendingError = outcome.errno;
        continue;
      }
      socket.state = 'connected';
      socket.peer = makePeer(socket);
      outcome.peer(socket.peer);
    }
  }

  function nextEventMs(): number | null {
    let next: number | null = null;
    for (const socket of sockets.values()) {
      if (socket.state === 'connecting' && socket.connectDueMs !== null && (next === null || socket.connectDueMs < next)) {
        next = socket.connectDueMs;
      }
    }
    return next;
  }

  function makePeer(socket: FakeSocket): PeerSide {
    let stalled = false;
    let windowLeftBytes = STALLED_PEER_WINDOW_BYTES;
    let closedByClient = false;
    const peer: PeerSide = {
      received: [],
      onData: null,
      onClose: null,
      write(bytes) {
        if (closedByClient || socket.peerEnded) return;
        socket.inbound.push(Uint8Array.from(bytes));
      },
      end() {
        socket.peerEnded = true;
      },
      reset() {
        socket.resetPending = true;
        socket.peerEnded = true;
      },
      stopReading() {
        stalled = true;
      },
      get stalled() {
        return stalled;
      },
      get windowLeftBytes() {
        return windowLeftBytes;
      },
      take(count) {
        if (stalled) windowLeftBytes -= count;
      },
      get closedByClient() {
        return closedByClient;
      },
      markClientClosed() {
        closedByClient = true;
      },
    };
    return peer;
  }

  function readiness(socket: FakeSocket): number {
    if (socket.type === 'sock_dgram') return POLL.POLLOUT | (socket.datagrams.length > 0 ? POLL.POLLIN : 0);
    let bits = 0;
    if (socket.pendingError !== null) bits |= POLL.POLLERR;
    if (socket.state === 'failed') bits |= POLL.POLLIN | POLL.POLLOUT | POLL.POLLHUP;
    if (socket.state === 'connected') {
      if (socket.inbound.length > 0 || socket.peerEnded) bits |= POLL.POLLIN;
      if (socket.resetPending) bits |= POLL.POLLHUP;
      const peer = socket.peer;
      if (peer !== null && (!peer.stalled || peer.windowLeftBytes > 0)) bits |= POLL.POLLOUT;
    }
    return bits;
  }

  function allocatePort(): number {
    return nextPort++;
  }

  function localBytes(family: Family): Uint8Array {
    return family === 'af_inet' ? Uint8Array.of(10, 0, 0, 50) : parseHost('fd00::50');
  }

  const manager = {
    create(family: unknown, type: unknown, flags: unknown): number {
      enter('create');
      if (typeof flags !== 'number' || (flags & SOCK_NONBLOCK) === 0) {
        violation('SocketsManager.create without SOCK_NONBLOCK: a blocking socket would stall the worker');
      }
      if (family !== 'af_inet' && family !== 'af_inet6') fail('create', 'EAFNOSUPPORT');
      if (type !== 'sock_stream' && type !== 'sock_dgram') fail('create', 'EINVAL');
      if (sockets.size >= MAX_OPEN_SOCKETS) fail('create', 'EMFILE');
      const id = nextId++;
      sockets.set(id, {
        id, family, type, options: new Map(), local: null, lastError: 0,
        state: 'fresh', connectDueMs: null, outcome: null, peer: null, inbound: [], peerEnded: false, resetPending: false,
        pendingError: null, datagrams: [],
      });
      return id;
    },

    bind(id: unknown, address: unknown): void {
      enter('bind');
      const socket = socketOf('bind', id);
      const endpoint = endpointOf('bind', address, socket);
      if (socket.local !== null) fail('bind', 'EINVAL', socket);
      socket.local = { bytes: endpoint.bytes, port: endpoint.port === 0 ? allocatePort() : endpoint.port };
    },

    connect(id: unknown, address: unknown): void {
      enter('connect');
      const socket = socketOf('connect', id);
      if (socket.type !== 'sock_stream') violation('the fake does not model connected UDP sockets');
      const target = endpointOf('connect', address, socket);
      if (socket.state === 'connecting') fail('connect', 'EALREADY', socket);
      if (socket.state === 'connected') fail('connect', 'EISCONN', socket);
      const key = keyOf(unmapped(target.bytes), target.port);
      const listener = tcpListeners.get(key);
      const unreachableAfter = unreachable.get(hex(unmapped(target.bytes)));
      socket.state = 'connecting';
      socket.pendingError = null;
      socket.local = socket.local ?? { bytes: localBytes(socket.family), port: allocatePort() };
      if (listener !== undefined) {
        socket.outcome = listener.outcome;
        socket.connectDueMs = nowMs + listener.latencyMs;
      } else if (unreachableAfter !== undefined) {
        socket.outcome = { kind: 'fail', errno: 'EHOSTUNREACH' };
        socket.connectDueMs = nowMs + unreachableAfter;
      } else {
        socket.outcome = { kind: 'fail', errno: 'ECONNREFUSED' };
        socket.connectDueMs = nowMs;
      }
      fail('connect', 'EINPROGRESS', socket);
    },

    send(id: unknown, data: unknown, flags: unknown): number {
      enter('send');
      const socket = socketOf('send', id);
      if (!(data instanceof Uint8Array)) throw new TypeError('send: data must be a Uint8Array');
      if (typeof flags !== 'number') throw new TypeError('send: flags must be a number');
      if (socket.type !== 'sock_stream') fail('send', 'EDESTADDRREQ', socket);
      if (socket.state === 'connecting') fail('send', 'EAGAIN', socket);
      if (socket.state === 'failed' && socket.pendingError !== null) {
        const name = socket.pendingError;
        socket.pendingError = null;
        fail('send', name, socket);
      }
      const peer = socket.peer;
      if (socket.state !== 'connected' || peer === null) fail('send', 'ENOTCONN', socket);
      if (socket.resetPending) fail('send', 'ECONNRESET', socket);
      if (socket.peerEnded) fail('send', 'EPIPE', socket);
      let accepted = Math.min(data.length, MAX_SEND_PER_CALL_BYTES);
      if (peer.stalled) accepted = Math.min(accepted, peer.windowLeftBytes);
      if (accepted === 0 && data.length > 0) fail('send', 'EAGAIN', socket);
      const bytes = data.slice(0, accepted);
      peer.take(accepted);
      if (!peer.stalled) {
        peer.received.push(bytes);
        peer.onData?.(bytes);
      }
      return accepted;
    },

    sendTo(id: unknown, data: unknown, flags: unknown, address: unknown): number {
      enter('sendTo');
      const socket = socketOf('sendTo', id);
      if (!(data instanceof Uint8Array)) throw new TypeError('sendTo: data must be a Uint8Array');
      if (typeof flags !== 'number') throw new TypeError('sendTo: flags must be a number');
      if (socket.type !== 'sock_dgram') fail('sendTo', 'EISCONN', socket);
      const target = endpointOf('sendTo', address, socket);
      if (data.length > MAX_UDP_PAYLOAD_BYTES) fail('sendTo', 'EMSGSIZE', socket);
      const to = unmapped(target.bytes);
      if (hex(to) === 'ffffffff' && socket.options.get('sol_socket/so_broadcast') !== 1) fail('sendTo', 'EACCES', socket);
      socket.local = socket.local ?? { bytes: localBytes(socket.family), port: allocatePort() };
      const bytes = data.slice();
      sentDatagrams.push({ host: formatHost(to), port: target.port, bytes });
      const peer = udpPeers.get(keyOf(to, target.port));
      const local = socket.local;
      peer?.(bytes, { host: formatHost(local.bytes), port: local.port }, (reply) => {
        if (sockets.get(socket.id) !== socket) return;
        const fromBytes = socket.family === 'af_inet6' && to.length === 4 ? mapped(to) : to;
        socket.datagrams.push({ bytes: Uint8Array.from(reply), from: { bytes: fromBytes, port: target.port } });
      });
      return data.length;
    },

    recv(id: unknown, view: unknown, flags: unknown): number {
      enter('recv');
      const socket = socketOf('recv', id);
      if (!(view instanceof Uint8Array)) throw new TypeError('recv: view must be a Uint8Array');
      if (typeof flags !== 'number') throw new TypeError('recv: flags must be a number');
      if (socket.type === 'sock_dgram') {
        const datagram = socket.datagrams.shift();
        if (datagram === undefined) fail('recv', 'EAGAIN', socket);
        return copyInto(view, datagram.bytes);
      }
      if (socket.state === 'connecting') fail('recv', 'EAGAIN', socket);
      if (socket.state === 'failed' && socket.pendingError !== null) {
        const name = socket.pendingError;
        socket.pendingError = null;
        fail('recv', name, socket);
      }
      if (socket.state !== 'connected') fail('recv', 'ENOTCONN', socket);
      if (socket.resetPending) {
        socket.resetPending = false;
        socket.inbound.length = 0;
        fail('recv', 'ECONNRESET', socket);
      }
      const chunk = socket.inbound[0];
      if (chunk !== undefined) {
        const count = copyInto(view, chunk);
        if (count === chunk.length) socket.inbound.shift();
        else socket.inbound[0] = chunk.subarray(count);
        return count;
      }
      if (socket.peerEnded) return 0;
      fail('recv', 'EAGAIN', socket);
    },

    recvFrom(id: unknown, view: unknown, flags: unknown): { bytesRead: number; peerAddress: NetAddress } {
      enter('recvFrom');
      const socket = socketOf('recvFrom', id);
      if (!(view instanceof Uint8Array)) throw new TypeError('recvFrom: view must be a Uint8Array');
      if (typeof flags !== 'number') throw new TypeError('recvFrom: flags must be a number');
      if (socket.type !== 'sock_dgram') violation('the fake models recvFrom on UDP sockets only');
      const datagram = socket.datagrams.shift();
      if (datagram === undefined) fail('recvFrom', 'EAGAIN', socket);
      // Like recvfrom(2) without MSG_TRUNC: a datagram longer than the view is cut.
      return { bytesRead: copyInto(view, datagram.bytes), peerAddress: new NetAddress(socket.family, datagram.from.bytes, datagram.from.port) };
    },

    poll(fds: unknown, timeoutMs: unknown): number {
      enter('poll');
      if (!Array.isArray(fds)) throw new TypeError('poll: fds must be an array');
      if (typeof timeoutMs !== 'number' || timeoutMs < 0) {
        violation(`poll with timeout ${String(timeoutMs)}: waiting forever would stall the worker`);
      }
      if (timeoutMs > maxPollTimeoutMs) violation(`poll with timeout ${timeoutMs} ms blocks the worker longer than ${maxPollTimeoutMs} ms`);
      for (const fd of fds) {
        if (!(fd instanceof PollFd)) violation('poll: a descriptor was not made with tizentvwasm.PollFd');
      }
      const pollFds = fds as PollFd[];
      const startMs = nowMs;
      const endMs = nowMs + timeoutMs;
      let ready = 0;
      for (let step = 0; step < 1000; step++) {
        ready = 0;
        for (const fd of pollFds) {
          const socket = sockets.get(fd.socketId);
          const bits = socket === undefined ? POLL.POLLNVAL : readiness(socket);
          fd.revents = bits & (fd.events | POLL.POLLERR | POLL.POLLHUP | POLL.POLLNVAL);
          if (fd.revents !== 0) ready += 1;
        }
        if (ready > 0 || nowMs >= endMs) break;
        const next = nextEventMs();
        nowMs = next !== null && next > nowMs && next < endMs ? next : endMs;
        runDueEvents();
      }
      blockedThisTurnMs += nowMs - startMs;
      if (blockedThisTurnMs > maxBlockedMsPerTurn) {
        violation(`the worker polled for ${blockedThisTurnMs} ms without returning to its event loop (limit ${maxBlockedMsPerTurn} ms)`);
      }
      return ready;
    },

    setSockOpt(id: unknown, level: unknown, name: unknown, value: unknown): void {
      enter('setSockOpt');
      const socket = socketOf('setSockOpt', id);
      const option = `${String(level)}/${String(name)}`;
      if (option === 'ipproto_tcp/tcp_nodelay' && socket.type !== 'sock_stream') fail('setSockOpt', 'EOPNOTSUPP', socket);
      if (!SETTABLE_OPTIONS.has(option)) fail('setSockOpt', 'ENOPROTOOPT', socket);
      socket.options.set(option, value);
    },

    getSockOpt(id: unknown, level: unknown, name: unknown): unknown {
      enter('getSockOpt');
      const socket = socketOf('getSockOpt', id);
      const option = `${String(level)}/${String(name)}`;
      if (option === 'sol_socket/so_error') {
        const pending = socket.pendingError;
        socket.pendingError = null;
        return pending === null ? 0 : errorCodes[pending];
      }
      if (!SETTABLE_OPTIONS.has(option)) fail('getSockOpt', 'ENOPROTOOPT', socket);
      return socket.options.get(option) ?? 0;
    },

    close(id: unknown): void {
      enter('close');
      const socket = socketOf('close', id);
      sockets.delete(socket.id);
      if (socket.peer !== null) {
        socket.peer.markClientClosed();
        socket.peer.onClose?.();
      }
    },

    getErrorCode(id?: unknown): number {
      if (context === 'main') violation('SocketsManager.getErrorCode called on the main thread');
      if (id === undefined) return lastError;
      return typeof id === 'number' ? (sockets.get(id)?.lastError ?? errorCodes['EBADF'] ?? 0) : 0;
    },
  };

  class HostResolverSync {
    errorno = 0;
    constructor() {
      if (context === 'main') violation('HostResolverSync used on the main thread');
    }
    getHostByName(name: string): { name: string; getAddrList(): NetAddress[] } {
      const bytes = names.get(name.toLowerCase());
      if (bytes === undefined) {
        this.errorno = 1; // HOST_NOT_FOUND
        throw new Error(`getHostByName failed for ${name}`);
      }
      return { name, getAddrList: () => [new NetAddress(bytes.length === 4 ? 'af_inet' : 'af_inet6', bytes, 0)] };
    }
  }

  const network: FakeNetwork = {
    listenTcp(host, port, peer, listenOptions = {}) {
      tcpListeners.set(keyOf(parseHost(host), port), { outcome: { kind: 'accept', peer }, latencyMs: listenOptions.acceptAfterMs ?? 0 });
    },
    blackholeTcp(host, port) {
      tcpListeners.set(keyOf(parseHost(host), port), { outcome: { kind: 'never' }, latencyMs: 0 });
    },
    unreachableHost(host, afterMs = 0) {
      unreachable.set(hex(parseHost(host)), afterMs);
    },
    bindUdp(host, port, peer) {
      udpPeers.set(keyOf(parseHost(host), port), peer);
    },
    addHostName(name, host) {
      names.set(name.toLowerCase(), parseHost(host));
    },
    sentDatagrams,
  };

  const tizentvwasm = {
    SocketsManager: manager,
    NetAddress,
    PollFd,
    HostResolverSync,
    SockFlags: { SOCK_NONBLOCK, SOCK_CLOEXEC },
    PollFlags: { ...POLL },
    MsgFlags: { MSG_NOSIGNAL },
    ErrorCodes: errorCodes,
  };

  return {
    tizentvwasm,
    network,
    nowMs: () => nowMs,
    setContext(next) {
      context = next;
    },
    violations,
    openSocketIds: () => [...sockets.keys()],
  };
}

const SETTABLE_OPTIONS = new Set([
  'ipproto_tcp/tcp_nodelay',
  'sol_socket/so_broadcast',
  'sol_socket/so_rcvbuf',
  'sol_socket/so_sndbuf',
  'sol_socket/so_reuseaddr',
  'sol_socket/so_keepalive',
]);

function copyInto(view: Uint8Array, bytes: Uint8Array): number {
  const count = Math.min(view.length, bytes.length);
  view.set(bytes.subarray(0, count));
  return count;
}

function keyOf(bytes: Uint8Array, port: number): string {
  return `${hex(bytes)}:${port}`;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function unmapped(bytes: Uint8Array): Uint8Array {
  const isMapped = bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return isMapped ? bytes.slice(12) : bytes;
}

function mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

/** The fake's own small address parser, independent of the code under test. */
function parseHost(text: string): Uint8Array {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) return Uint8Array.from(text.split('.').map(Number));
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...(tail === undefined ? [] : zeros), ...tailGroups];
  if (groups.length !== 8) throw new Error(`fake: cannot parse address ${text}`);
  const out = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  });
  return out;
}

function formatHost(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':'); // uncompressed: only used in test-facing records
}
