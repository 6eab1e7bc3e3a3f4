import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesOverTimeLimit } from '../../../scripts/tap-report.ts';

// As node 20 wrote it for a file that never reported a test within its limit, next to a
// failed test and a file that failed for another reason.
const REPORT = `TAP version 13
# Subtest: random bytes never make the parser throw
ok 130 - random bytes never make the parser throw
  ---
  duration_ms: 15.968869
  ...
# Subtest: /ci/main/test/unit/app/identity/identity.test.ts
not ok 11 - /ci/main/test/unit/app/identity/identity.test.ts
  ---
  duration_ms: 60005.964649
  location: '/ci/main/test/unit/app/identity/identity.test.ts:1:1'
  failureType: 'testTimeoutFailure'
  error: 'test timed out after 60000ms'
  code: 'ERR_TEST_FAILURE'
  ...
# Subtest: an address that is not one shows the reason in the dialog, which stays open
not ok 12 - an address that is not one shows the reason in the dialog, which stays open
  ---
  duration_ms: 2225.948393
  location: '/ci/main/test/e2e/add-host.test.ts:1:1492'
  failureType: 'testCodeFailure'
  error: |-
    ENOTEMPTY: directory not empty
  ...
# Subtest: /ci/main/test/unit/lib/crash.test.ts
not ok 13 - /ci/main/test/unit/lib/crash.test.ts
  ---
  duration_ms: 120.5
  location: '/ci/main/test/unit/lib/crash.test.ts:1:1'
  failureType: 'testCodeFailure'
  exitCode: 1
  ...
1..13
# pass 11
# fail 2
`;

test('only a file that reached its time limit as a whole is named for a rerun', () => {
  assert.deepEqual(filesOverTimeLimit(REPORT), ['/ci/main/test/unit/app/identity/identity.test.ts']);
});

test('a report with no time-out names no file', () => {
  assert.deepEqual(filesOverTimeLimit(REPORT.replace(`failureType: 'testTimeoutFailure'`, `failureType: 'testCodeFailure'`)), []);
  assert.deepEqual(filesOverTimeLimit(''), []);
});
