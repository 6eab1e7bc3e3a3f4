import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareTransfer, type FromWorker, type ToWorker } from '../../../../src/app/worker/protocol.ts';
import { parseFromWorker, parseServiceError, parseToWorker } from '../../../../src/app/worker/protocol-parse.ts';
import type { ServiceError } from '../../../../src/app/services.ts';

test('box art is transferred, not copied: the sender loses its buffer', () => {
  const bytes = Uint8Array.from([1, 2, 3, 4]);
  const { message, transfer } = prepareTransfer({ kind: 'response', id: 1, call: 'boxArt', result: { ok: true, value: bytes } });
  assert.deepEqual(transfer, [bytes.buffer]);
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(message, transfer);
  port1.close();
  port2.close();
  assert.equal(bytes.byteLength, 0, 'detached after the transfer');
});

test('a box art view on a larger buffer is copied first, leaving the larger buffer usable', () => {
  const big = Uint8Array.from([9, 9, 1, 2, 3, 9]);
  const view = big.subarray(2, 5);
  const { message, transfer } = prepareTransfer({ kind: 'response', id: 1, call: 'boxArt', result: { ok: true, value: view } });
  assert.equal(transfer.length, 1);
  assert.notEqual(transfer[0], big.buffer);
  assert.equal(transfer[0]?.byteLength, 3);
  assert.ok(message.kind === 'response' && message.call === 'boxArt' && message.result.ok);
  assert.deepEqual([...message.result.value], [1, 2, 3]);
});

test('messages without bytes transfer nothing', () => {
  const message: FromWorker = { kind: 'event', event: { kind: 'startup', stage: 'ready' } };
  assert.deepEqual(prepareTransfer(message), { message, transfer: [] });
});

const VALID_TO_WORKER: ToWorker[] = [
  { kind: 'init', platform: 'browser', relayUrl: 'ws://127.0.0.1:8080', token: 't', coreWasmUrl: 'core.wasm' },
  { kind: 'init', platform: 'tizen', coreWasmUrl: 'core.wasm' },
  { kind: 'request', id: 0, call: { kind: 'listHosts' } },
  { kind: 'request', id: 1, call: { kind: 'addHost', address: 'pc' } },
  { kind: 'request', id: 2, call: { kind: 'pair', hostId: 'h', pin: null } },
  { kind: 'request', id: 3, call: { kind: 'pair', hostId: 'h', pin: '1234' } },
  { kind: 'request', id: 4, call: { kind: 'boxArt', hostId: 'h', appId: 881448767 } },
  { kind: 'request', id: 5, call: { kind: 'wake', hostId: 'h' } },
  { kind: 'cancel-pairing', pairingId: 7 },
  { kind: 'dispose' },
];

for (const message of VALID_TO_WORKER) {
  test(`the worker reads ${JSON.stringify(message)}`, () => {
    assert.deepEqual(parseToWorker(structuredClone(message)), { ok: true, value: message });
  });
}

const INVALID_TO_WORKER: unknown[] = [
  null,
  'dispose',
  { kind: 'init', platform: 'android', coreWasmUrl: 'x' },
  { kind: 'init', platform: 'browser', coreWasmUrl: 'x' },
  { kind: 'request', id: 1.5, call: { kind: 'listHosts' } },
  { kind: 'request', id: 1, call: { kind: 'format-disk' } },
  { kind: 'request', id: 1, call: { kind: 'boxArt', hostId: 'h', appId: '3' } },
  { kind: 'request', id: 1, call: { kind: 'pair', hostId: 'h' } },
  { kind: 'cancel-pairing', pairingId: -1 },
];

for (const data of INVALID_TO_WORKER) {
  test(`the worker refuses ${JSON.stringify(data)}`, () => {
    assert.equal(parseToWorker(data).ok, false);
  });
}

const ERRORS: ServiceError[] = [
  { kind: 'invalid-address', input: 'x' },
  { kind: 'invalid-address', input: 'x', reason: 'bad-port' },
  { kind: 'unreachable', detail: 'd' },
  { kind: 'timeout', detail: 'd' },
  { kind: 'host-error', code: -1, message: 'Invalid' },
  { kind: 'malformed-reply', detail: 'd' },
  { kind: 'tls', detail: 'd' },
  { kind: 'not-paired' },
  { kind: 'wrong-pin' },
  { kind: 'pairing-in-progress' },
  { kind: 'man-in-the-middle' },
  { kind: 'cancelled' },
  { kind: 'unknown-host', hostId: 'h' },
  { kind: 'duplicate-host', hostId: 'h' },
  { kind: 'no-mac' },
  { kind: 'storage', detail: 'd' },
  { kind: 'internal', detail: 'd' },
];

test('every service error crosses the channel unchanged', () => {
  for (const error of ERRORS) assert.deepEqual(parseServiceError(structuredClone(error)), { ok: true, value: error });
});

test('errors of unknown kinds or with missing fields are refused', () => {
  for (const bad of [{ kind: 'oops' }, { kind: 'host-error', code: '1', message: 'm' }, { kind: 'unreachable' }, { kind: 'invalid-address', input: 'x', reason: 'odd' }]) {
    assert.equal(parseServiceError(bad).ok, false, JSON.stringify(bad));
  }
});

test('a response is only read with the payload its call returns', () => {
  assert.equal(parseFromWorker({ kind: 'response', id: 1, call: 'apps', result: { ok: true, value: [{ id: 1, title: 'A', hdrSupported: false }] } }).ok, true);
  assert.equal(parseFromWorker({ kind: 'response', id: 1, call: 'apps', result: { ok: true, value: [{ id: 1, title: 'A' }] } }).ok, false);
  assert.equal(parseFromWorker({ kind: 'response', id: 1, call: 'boxArt', result: { ok: true, value: [1, 2] } }).ok, false);
  assert.equal(parseFromWorker({ kind: 'response', id: 1, call: 'listHosts', result: { ok: true, value: [] } }).ok, false);
  assert.equal(parseFromWorker({ kind: 'pairing-done', pairingId: 2, result: { ok: true } }).ok, true);
});
