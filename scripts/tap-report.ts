// Reading node's TAP test reports (scripts/test.ts).

/**
 * Test files whose whole-file entry failed by reaching the time limit. With one process per
 * file, node reports such a file as a failed test named by its path, located at its line 1.
 */
export function filesOverTimeLimit(tap: string): string[] {
  const out: string[] = [];
  for (const m of tap.matchAll(/^not ok \d+ - (\S+\.test\.ts)\n((?: {2}.*\n)*)/gm)) {
    const [, file, details] = m;
    if (file !== undefined && details?.includes(`failureType: 'testTimeoutFailure'`) && details.includes(`location: '${file}:1:1'`)) out.push(file);
  }
  return out;
}
