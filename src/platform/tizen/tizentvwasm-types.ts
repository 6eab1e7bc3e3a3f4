// The parts of Samsung's `tizentvwasm` global that the Tizen platform uses, as described in
// shared/platform/tizen.md section 2 (derived from how Samsung's Emscripten fork calls them;
// Samsung documents only the C++ wrapper). Everything here is synchronous, exists in
// workers only, and reports failures by throwing.

export type TizenAddressFamily = 'af_inet' | 'af_inet6';
export type TizenSocketType = 'sock_stream' | 'sock_dgram';

export interface TizenNetAddress {
  readonly family: string;
  /** 4 or 16 bytes in network order. */
  readonly bytes: Uint8Array;
  /** Host order; no byte swapping in JavaScript. */
  readonly port: number;
}

export interface TizenPollFd {
  /** Filled by `poll`. */
  readonly revents: number;
}

export interface TizenRecvFromResult {
  bytesRead: number;
  peerAddress: TizenNetAddress;
}

export interface TizenSocketsManager {
  /** Returns the new socket's id. `flags` is an OR of SockFlags. */
  create(family: TizenAddressFamily, type: TizenSocketType, flags: number): number;
  bind(id: number, address: TizenNetAddress): void;
  /** On a non-blocking socket this throws EINPROGRESS; completion is seen with poll. */
  connect(id: number, address: TizenNetAddress): void;
  /** Returns the number of bytes accepted, possibly fewer than given. */
  send(id: number, data: Uint8Array, flags: number): number;
  sendTo(id: number, data: Uint8Array, flags: number, address: TizenNetAddress): number;
  /** Writes into `view`; returns the byte count, 0 at orderly shutdown. */
  recv(id: number, view: Uint8Array, flags: number): number;
  recvFrom(id: number, view: Uint8Array, flags: number): TizenRecvFromResult;
  /** Fills each descriptor's `revents`; returns how many have any. -1 waits forever. */
  poll(fds: TizenPollFd[], timeoutMs: number): number;
  setSockOpt(id: number, level: string, name: string, value: unknown): void;
  getSockOpt(id: number, level: string, name: string): unknown;
  close(id: number): void;
  /** The last error (of socket `id` when given), to compare with ErrorCodes. */
  getErrorCode(id?: number): number;
}

export interface TizenHostEntry {
  getAddrList(): ArrayLike<{ family: string; bytes: ArrayLike<number> }>;
}

export interface TizenHostResolverSync {
  getHostByName(name: string): TizenHostEntry;
}

/** The raw global as the web runtime injects it. */
export interface TizenTvWasm {
  SocketsManager: TizenSocketsManager;
  NetAddress: new (family: TizenAddressFamily, bytes: Uint8Array, port: number) => TizenNetAddress;
  PollFd: new (socketId: number, events: number) => TizenPollFd;
  SockFlags: { readonly SOCK_NONBLOCK: number };
  PollFlags: Readonly<Record<string, number>>;
  MsgFlags: { readonly MSG_NOSIGNAL: number };
  /** errno names to the platform's numbers; compare by name, never by assumed number. */
  ErrorCodes: Readonly<Record<string, number>>;
  HostResolverSync: new () => TizenHostResolverSync;
}
