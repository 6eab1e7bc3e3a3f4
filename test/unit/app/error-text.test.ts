import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorText, streamEndText } from '../../../src/app/error-text.ts';
import type { InvalidAddressReason, ServiceError, StreamEnd } from '../../../src/app/services.ts';

// One example per kind. The Record type makes this table fail to compile when a kind is added
// to ServiceError without a sentence being checked here.
const EXAMPLES: { [K in ServiceError['kind']]: Extract<ServiceError, { kind: K }> } = {
  'invalid-address': { kind: 'invalid-address', input: 'my pc' },
  unreachable: { kind: 'unreachable', detail: 'connect ECONNREFUSED' },
  timeout: { kind: 'timeout', detail: 'no answer in 5000 ms' },
  'host-error': { kind: 'host-error', code: 400, message: 'An app is already running on this host' },
  'malformed-reply': { kind: 'malformed-reply', detail: 'missing root' },
  tls: { kind: 'tls', detail: 'certificate mismatch' },
  'not-paired': { kind: 'not-paired' },
  'wrong-pin': { kind: 'wrong-pin' },
  'pairing-in-progress': { kind: 'pairing-in-progress' },
  'man-in-the-middle': { kind: 'man-in-the-middle' },
  cancelled: { kind: 'cancelled' },
  'unknown-host': { kind: 'unknown-host', hostId: 'x' },
  'duplicate-host': { kind: 'duplicate-host', hostId: 'x' },
  'no-mac': { kind: 'no-mac' },
  storage: { kind: 'storage', detail: 'quota exceeded' },
  'app-running': { kind: 'app-running', runningAppId: 7 },
  media: { kind: 'media', detail: 'codec refused' },
  internal: { kind: 'internal', detail: 'bug' },
};

test('every error kind has its own non-empty sentence', () => {
  const sentences = Object.values(EXAMPLES).map((e) => errorText(e));
  for (const s of sentences) assert.match(s, /^\S.*[.!]$/, `not a sentence: ${JSON.stringify(s)}`);
  assert.equal(new Set(sentences).size, sentences.length, 'two kinds share a sentence');
});

test('no sentence leaks internal detail text meant for logs', () => {
  for (const e of Object.values(EXAMPLES)) {
    const s = errorText(e);
    for (const leak of ['ECONNREFUSED', 'missing root', 'certificate mismatch', 'quota exceeded', 'bug', 'codec refused']) {
      assert.ok(!s.includes(leak), `${e.kind}: ${s}`);
    }
  }
});

test('the wrong PIN sentence tells the person what to do', () => {
  assert.equal(errorText({ kind: 'wrong-pin' }), 'The PIN did not match. Check the PIN you typed on the PC and try again.');
});

test('an unreachable host is named when the caller knows its name', () => {
  const s = errorText({ kind: 'unreachable', detail: '' }, { hostName: 'Study PC' });
  assert.match(s, /^“Study PC” is not reachable\. Check that the PC is on and on the same network/);
  assert.match(errorText({ kind: 'unreachable', detail: '' }), /^The PC is not reachable\./);
});

test("a host's own error message and code are shown", () => {
  assert.equal(
    errorText(EXAMPLES['host-error']),
    'The PC refused the request: An app is already running on this host (error 400).',
  );
});

test('each invalid-address reason gets its own hint, quoting what was typed', () => {
  const reasons: (InvalidAddressReason | undefined)[] = ['empty', 'bad-port', 'bad-ipv4', 'bad-ipv6', 'bad-name', undefined];
  const sentences = reasons.map((reason) =>
    errorText(reason === undefined ? { kind: 'invalid-address', input: 'x:y' } : { kind: 'invalid-address', input: reason === 'empty' ? ' ' : 'x:y', reason }),
  );
  assert.equal(new Set(sentences.slice(0, 5)).size, 5);
  for (const s of sentences.slice(1)) assert.ok(s.includes('“x:y”'), s);
});

test('a very long typed address is shortened in the sentence', () => {
  const s = errorText({ kind: 'invalid-address', input: 'a'.repeat(500), reason: 'bad-name' });
  assert.ok(s.length < 200, `${s.length} characters`);
});

test('every way a stream ends has its own sentence, except a stop asked for here', () => {
  const ends: StreamEnd[] = [
    { kind: 'host-terminated', code: 0x80030023, graceful: true },
    { kind: 'host-terminated', code: 0x80030023, graceful: false },
    { kind: 'host-terminated', code: 0x800e9302, graceful: false },
    { kind: 'host-terminated', code: 0x800e9403, graceful: false },
    { kind: 'host-terminated', code: 0x12345678, graceful: false },
    { kind: 'host-terminated', code: null, graceful: false },
    { kind: 'connection-lost', detail: 'x' },
    { kind: 'no-video', received: 'nothing' },
    { kind: 'no-video', received: 'no-complete-frame' },
    { kind: 'protocol', detail: 'x' },
    { kind: 'network', detail: 'x' },
    { kind: 'media', detail: 'x' },
    { kind: 'internal', detail: 'x' },
  ];
  const sentences = ends.map((end) => streamEndText(end, { hostName: 'Study PC' }));
  for (const s of sentences) assert.match(s ?? '', /^\S.*[.!]$/);
  assert.equal(new Set(sentences).size, sentences.length);
  assert.equal(streamEndText({ kind: 'stopped' }), null);
  assert.equal(sentences[0], 'The stream ended: the app on “Study PC” was closed.');
  assert.equal(sentences[4], '“Study PC” ended the stream (code 0x12345678).');
  assert.match(sentences[7] ?? '', /UDP ports 47998 and 48000/);
});

test('the app-running sentence names the running app when it is known', () => {
  assert.equal(
    errorText({ kind: 'app-running', runningAppId: 7 }, { hostName: 'Study PC', runningAppTitle: 'Steam' }),
    '“Study PC” is running “Steam”. Quit it first to start a different app, or choose it to go back to it.',
  );
});
