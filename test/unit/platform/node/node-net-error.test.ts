import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netErrorFromNode } from '../../../../src/platform/node/node-net-error.ts';

function nodeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.9:47989`), { code });
}

test('Node error codes map to the kinds the UI words differently', () => {
  const cases = [
    { code: 'ECONNREFUSED', kind: 'unreachable' },
    { code: 'EHOSTUNREACH', kind: 'unreachable' },
    { code: 'ENETUNREACH', kind: 'unreachable' },
    { code: 'ENOTFOUND', kind: 'unreachable' },
    { code: 'EAI_AGAIN', kind: 'unreachable' },
    { code: 'ETIMEDOUT', kind: 'timeout' },
    { code: 'ECONNRESET', kind: 'closed' },
    { code: 'EPIPE', kind: 'closed' },
    { code: 'EMFILE', kind: 'io' },
  ];
  for (const { code, kind } of cases) {
    assert.equal(netErrorFromNode(nodeError(code), 'host').kind, kind, code);
  }
});

test('the detail names the context and keeps the original message', () => {
  assert.deepEqual(netErrorFromNode(nodeError('ECONNREFUSED'), '10.0.0.9:47989'), {
    kind: 'unreachable',
    detail: '10.0.0.9:47989: connect ECONNREFUSED 10.0.0.9:47989',
  });
  assert.deepEqual(netErrorFromNode('odd', 'x'), { kind: 'io', detail: 'x: odd' });
});
