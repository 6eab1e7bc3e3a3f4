// `node --import tsx scripts/make-fixtures.ts`: builds the host simulator's media fixtures
// (test/hostsim/media-fixture-build.ts) into build/fixtures/media/ with Debian's ffmpeg.
// Fixtures already built with the same settings are kept, so a second run does nothing.
import { ensureDefaultFixtures, FIXTURES_DIR } from '../test/hostsim/media-fixture-build.ts';

const startedMs = Date.now();
await ensureDefaultFixtures((line) => console.log(line));
console.log(`fixtures in ${FIXTURES_DIR} (${Date.now() - startedMs} ms)`);
