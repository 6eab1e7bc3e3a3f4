// Parsers for what arrives through postMessage (style guide D.4): both ends check every
// message once, at the edge, and drop what does not parse instead of acting on it.

import { err, ok, type Result } from '../../lib/result.ts';
import { parsePreparedStream, parseStreamSettings } from '../../session/session-protocol.ts';
import type {
  AppView,
  HostView,
  InvalidAddressReason,
  PairingStage,
  ServiceError,
  ServiceEvent,
  StartupStage,
  StreamStage,
} from '../services.ts';
import type { FromWorker, ServiceCall, ToWorker } from './protocol.ts';

type Parsed<T> = Result<T, string>;
type Fields = Record<string, unknown>;

export function parseToWorker(data: unknown): Parsed<ToWorker> {
  if (!isFields(data)) return err('not an object');
  switch (data.kind) {
    case 'init':
      if (data.platform === 'browser') {
        const { relayUrl, token, coreWasmUrl } = data;
        if (typeof relayUrl !== 'string' || typeof token !== 'string' || typeof coreWasmUrl !== 'string') return err('bad init');
        return ok({ kind: 'init', platform: 'browser', relayUrl, token, coreWasmUrl });
      }
      if (data.platform === 'tizen') {
        if (typeof data.coreWasmUrl !== 'string') return err('bad init');
        return ok({ kind: 'init', platform: 'tizen', coreWasmUrl: data.coreWasmUrl });
      }
      return err('unknown platform');
    case 'request': {
      if (!isId(data.id)) return err('bad request id');
      const call = parseCall(data.call);
      return call.ok ? ok({ kind: 'request', id: data.id, call: call.value }) : call;
    }
    case 'cancel-pairing':
      return isId(data.pairingId) ? ok({ kind: 'cancel-pairing', pairingId: data.pairingId }) : err('bad pairing id');
    case 'cancel-stream-start':
      return typeof data.hostId === 'string' ? ok({ kind: 'cancel-stream-start', hostId: data.hostId }) : err('bad host id');
    case 'dispose':
      return ok({ kind: 'dispose' });
    default:
      return err(`unknown message ${String(data.kind)}`);
  }
}

export function parseFromWorker(data: unknown): Parsed<FromWorker> {
  if (!isFields(data)) return err('not an object');
  switch (data.kind) {
    case 'response':
      return parseResponse(data);
    case 'event': {
      const event = parseEvent(data.event);
      return event.ok ? ok({ kind: 'event', event: event.value }) : event;
    }
    case 'pairing-done': {
      if (!isId(data.pairingId)) return err('bad pairing id');
      const result = parseResult(data.result, parseVoid);
      return result.ok ? ok({ kind: 'pairing-done', pairingId: data.pairingId, result: result.value }) : result;
    }
    default:
      return err(`unknown message ${String(data.kind)}`);
  }
}

function parseCall(data: unknown): Parsed<ServiceCall> {
  if (!isFields(data)) return err('bad call');
  const { hostId } = data;
  switch (data.kind) {
    case 'listHosts':
      return ok({ kind: 'listHosts' });
    case 'addHost':
      return typeof data.address === 'string' ? ok({ kind: 'addHost', address: data.address }) : err('bad address');
    case 'pair':
      if (typeof hostId !== 'string' || !(data.pin === null || typeof data.pin === 'string')) return err('bad pair call');
      return ok({ kind: 'pair', hostId, pin: data.pin });
    case 'boxArt':
      if (typeof hostId !== 'string' || !isInteger(data.appId)) return err('bad boxArt call');
      return ok({ kind: 'boxArt', hostId, appId: data.appId });
    case 'prepareStream': {
      if (typeof hostId !== 'string' || !isInteger(data.appId)) return err('bad prepareStream call');
      const settings = parseStreamSettings(data.settings);
      return settings.ok ? ok({ kind: 'prepareStream', hostId, appId: data.appId, settings: settings.value }) : settings;
    }
    case 'removeHost':
    case 'unpair':
    case 'wake':
    case 'apps':
    case 'quitApp':
      return typeof hostId === 'string' ? ok({ kind: data.kind, hostId }) : err('bad host id');
    default:
      return err(`unknown call ${String(data.kind)}`);
  }
}

function parseResponse(data: Fields): Parsed<FromWorker> {
  const { id, call, result } = data;
  if (!isId(id)) return err('bad response id');
  const wrap = <T>(parsed: Parsed<T>, build: (value: T) => FromWorker): Parsed<FromWorker> =>
    parsed.ok ? ok(build(parsed.value)) : parsed;
  switch (call) {
    case 'listHosts':
      return wrap(parseList(result, parseHostView), (r) => ({ kind: 'response', id, call, result: r }));
    case 'addHost':
      return wrap(parseResult(result, parseHostView), (r) => ({ kind: 'response', id, call, result: r }));
    case 'removeHost':
    case 'unpair':
    case 'wake':
    case 'quitApp':
      return wrap(parseResult(result, parseVoid), (r) => ({ kind: 'response', id, call, result: r }));
    case 'prepareStream':
      return wrap(parseResult(result, parsePreparedStream), (r) => ({ kind: 'response', id, call, result: r }));
    case 'pair':
      return wrap(parseResult(result, parsePairStarted), (r) => ({ kind: 'response', id, call, result: r }));
    case 'apps':
      return wrap(parseResult(result, (v) => parseList(v, parseAppView)), (r) => ({ kind: 'response', id, call, result: r }));
    case 'boxArt':
      return wrap(parseResult(result, parseBytes), (r) => ({ kind: 'response', id, call, result: r }));
    default:
      return err(`unknown call ${String(call)}`);
  }
}

function parseBytes(data: unknown): Parsed<Uint8Array> {
  return data instanceof Uint8Array ? ok(data) : err('expected bytes');
}

function parseResult<T>(data: unknown, parseValue: (v: unknown) => Parsed<T>): Parsed<Result<T, ServiceError>> {
  if (!isFields(data)) return err('bad result');
  if (data.ok === true) {
    const value = parseValue(data.value);
    return value.ok ? ok(ok(value.value)) : value;
  }
  if (data.ok === false) {
    const error = parseServiceError(data.error);
    return error.ok ? ok(err(error.value)) : error;
  }
  return err('bad result');
}

function parseVoid(data: unknown): Parsed<void> {
  return data === undefined || data === null ? ok(undefined) : err('expected no value');
}

function parseList<T>(data: unknown, parseItem: (v: unknown) => Parsed<T>): Parsed<T[]> {
  if (!Array.isArray(data)) return err('expected a list');
  const out: T[] = [];
  for (const item of data as unknown[]) {
    const parsed = parseItem(item);
    if (!parsed.ok) return parsed;
    out.push(parsed.value);
  }
  return ok(out);
}

function parsePairStarted(data: unknown): Parsed<{ pairingId: number; pin: string }> {
  if (!isFields(data) || !isId(data.pairingId) || typeof data.pin !== 'string') return err('bad pairing start');
  return ok({ pairingId: data.pairingId, pin: data.pin });
}

function parseAppView(data: unknown): Parsed<AppView> {
  if (!isFields(data)) return err('bad app');
  const { id, title, hdrSupported } = data;
  if (!isInteger(id) || typeof title !== 'string' || typeof hdrSupported !== 'boolean') return err('bad app');
  return ok({ id, title, hdrSupported });
}

function parseHostView(data: unknown): Parsed<HostView> {
  if (!isFields(data)) return err('bad host');
  const { id, name, address, reachability, paired, busy, runningAppId, canWake, lastError } = data;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof address !== 'string') return err('bad host');
  if (reachability !== 'unknown' && reachability !== 'online' && reachability !== 'offline') return err('bad reachability');
  if (typeof paired !== 'boolean' || typeof busy !== 'boolean' || typeof canWake !== 'boolean') return err('bad host flags');
  if (!isInteger(runningAppId)) return err('bad running app');
  let error: ServiceError | null = null;
  if (lastError !== null) {
    const parsed = parseServiceError(lastError);
    if (!parsed.ok) return parsed;
    error = parsed.value;
  }
  return ok({ id, name, address, reachability, paired, busy, runningAppId, canWake, lastError: error });
}

function parseEvent(data: unknown): Parsed<ServiceEvent> {
  if (!isFields(data)) return err('bad event');
  switch (data.kind) {
    case 'hosts-changed': {
      const hosts = parseList(data.hosts, parseHostView);
      return hosts.ok ? ok({ kind: 'hosts-changed', hosts: hosts.value }) : hosts;
    }
    case 'pairing-progress':
      if (typeof data.hostId !== 'string' || !isOneOf(data.stage, PAIRING_STAGES)) return err('bad pairing progress');
      return ok({ kind: 'pairing-progress', hostId: data.hostId, stage: data.stage });
    case 'startup':
      return isOneOf(data.stage, STARTUP_STAGES) ? ok({ kind: 'startup', stage: data.stage }) : err('bad startup stage');
    case 'stream-progress':
      if (typeof data.hostId !== 'string' || !isOneOf(data.stage, STREAM_STAGES)) return err('bad stream progress');
      return ok({ kind: 'stream-progress', hostId: data.hostId, stage: data.stage });
    case 'startup-failed':
    case 'problem': {
      const error = parseServiceError(data.error);
      return error.ok ? ok({ kind: data.kind, error: error.value }) : error;
    }
    default:
      return err(`unknown event ${String(data.kind)}`);
  }
}

export function parseServiceError(data: unknown): Parsed<ServiceError> {
  if (!isFields(data)) return err('bad error');
  const text = (key: string): string | null => (typeof data[key] === 'string' ? (data[key] as string) : null);
  const bad = (): Parsed<ServiceError> => err(`bad ${String(data.kind)} error`);
  switch (data.kind) {
    case 'invalid-address': {
      const input = text('input');
      if (input === null) return bad();
      if (data.reason === undefined) return ok({ kind: 'invalid-address', input });
      return isOneOf(data.reason, ADDRESS_REASONS) ? ok({ kind: 'invalid-address', input, reason: data.reason }) : bad();
    }
    case 'unreachable':
    case 'timeout':
    case 'malformed-reply':
    case 'tls':
    case 'storage':
    case 'media':
    case 'internal': {
      const detail = text('detail');
      return detail === null ? bad() : ok({ kind: data.kind, detail });
    }
    case 'host-error': {
      const message = text('message');
      return message === null || !isInteger(data.code) ? bad() : ok({ kind: 'host-error', code: data.code, message });
    }
    case 'app-running':
      return isInteger(data.runningAppId) ? ok({ kind: 'app-running', runningAppId: data.runningAppId }) : bad();
    case 'unknown-host':
    case 'duplicate-host': {
      const hostId = text('hostId');
      return hostId === null ? bad() : ok({ kind: data.kind, hostId });
    }
    case 'not-paired':
    case 'wrong-pin':
    case 'pairing-in-progress':
    case 'man-in-the-middle':
    case 'cancelled':
    case 'no-mac':
      return ok({ kind: data.kind });
    default:
      return bad();
  }
}

const PAIRING_STAGES: readonly PairingStage[] = ['waiting-for-pin', 'challenge', 'exchanging-secrets', 'confirming'];
const STARTUP_STAGES: readonly StartupStage[] = ['loading-core', 'preparing-identity', 'loading-hosts', 'ready'];
const STREAM_STAGES: readonly StreamStage[] = ['checking-host', 'launching', 'resuming', 'negotiating', 'connecting'];
const ADDRESS_REASONS: readonly InvalidAddressReason[] = ['empty', 'bad-port', 'bad-ipv4', 'bad-ipv6', 'bad-name'];

function isFields(data: unknown): data is Fields {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function isId(value: unknown): value is number {
  return isInteger(value) && value >= 0;
}

function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}
