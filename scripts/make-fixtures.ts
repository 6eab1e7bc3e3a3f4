// `node --import tsx scripts/make-fixtures.ts`: builds the host simulator's media fixtures
// (test/hostsim/media-fixture-build.ts) into build/fixtures/media/ with Debian's ffmpeg.
// Fixtures already built with the same settings are kept, so a second run does nothing.
import { DEFAULT_AUDIO_FIXTURES, DEFAULT_VIDEO_FIXTURES, ensureAudioFixture, ensureVideoFixture, FIXTURES_DIR } from '../test/hostsim/media-fixture-build.ts';

const startedMs = Date.now();
for (const spec of DEFAULT_VIDEO_FIXTURES) {
  const path = await ensureVideoFixture(spec);
  console.log(`video ${spec.codec} ${spec.widthPx}x${spec.heightPx}, ${spec.frames} frames: ${path}`);
}
for (const spec of DEFAULT_AUDIO_FIXTURES) {
  const info = await ensureAudioFixture(spec);
  console.log(`audio ${spec.channels} channels, ${info.streams} streams (${info.coupledStreams} coupled), ${info.packetBytes}-byte packets`);
}
console.log(`fixtures in ${FIXTURES_DIR} (${Date.now() - startedMs} ms)`);
