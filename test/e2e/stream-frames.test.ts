// The picture in the browser is the stream, frame after frame: the demo host's H.264 test
// pattern (test/hostsim/media-test-pattern.ts) goes through the relay, the session worker and
// Chromium's WebCodecs onto the stream canvas, where the frame number the pattern draws is read
// back from the pixels and seen to advance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFrameNumber } from '../hostsim/media-test-pattern.ts';
import { DEMO_HOST_NAME, e2eUnavailable, FIRST_SCREEN_TIMEOUT_MS, openApp, pairDemoHost, STEP_TIMEOUT_MS } from './fixture.ts';

const skip = e2eUnavailable() ?? false;
// Distinct frame numbers read one after another.
const SAMPLES = 6;

test('the stream canvas shows the test pattern with its frame number advancing', { skip }, async (t) => {
  const app = await openApp(t);
  const { page, stack } = app;
  await pairDemoHost(app);
  const title = stack.hostSim.apps()[0]?.title ?? '';
  const tile = page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` }).getByRole('button', { name: title, exact: true });
  await tile.waitFor({ state: 'visible' });
  await tile.focus();
  await page.keyboard.press('Enter');
  const screen = page.getByRole('region', { name: `Streaming from ${DEMO_HOST_NAME}` });
  await screen.and(page.locator('[data-first-frame="true"]')).waitFor({ state: 'attached', timeout: FIRST_SCREEN_TIMEOUT_MS });

  await page.evaluate(INSTALL_FRAME_READER);
  const readings: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const previous = readings[readings.length - 1] ?? -1;
    // An object, so that frame number 0 counts as an answer.
    const next = await page.waitForFunction(`(() => { const n = window.__gscFrameNumber(); return n !== null && n !== ${previous} ? { n } : null; })()`, undefined, {
      timeout: STEP_TIMEOUT_MS,
    });
    readings.push(((await next.jsonValue()) as { n: number }).n);
  }
  // The clip only moves forward, restarting from its first frame at its end (every 2 s) and
  // on an IDR request: at most one restart among a few frames read within a fraction of that.
  const restarts = readings.filter((n, i) => i > 0 && n < (readings[i - 1] ?? 0)).length;
  assert.ok(restarts <= 1, `frame numbers ${readings.join(', ')}`);
  assert.ok(readings.length - 1 - restarts >= SAMPLES - 2, `frame numbers ${readings.join(', ')}`);

  // The page's reading agrees with the pattern's own reader on the same pixels.
  const snapshot = (await page.evaluate('window.__gscReadFrame(true)')) as { number: number | null; width: number; height: number; rows: number; luma: string } | null;
  assert.ok(snapshot !== null);
  const luma = new Uint8Array(snapshot.width * snapshot.height);
  luma.set(Buffer.from(snapshot.luma, 'base64').subarray(0, snapshot.width * snapshot.rows));
  assert.notEqual(snapshot.number, null);
  assert.equal(readFrameNumber(luma, snapshot.width, snapshot.height), snapshot.number);
  assert.deepEqual(app.problems(), []);
});

/**
 * Runs in the page (a string: tsx would wrap a function in helpers the page lacks). Installs
 * `__gscReadFrame(withLuma)`: the frame number read from the canvas's top quarter the way
 * readFrameNumber does (16 cells of width/16 across the top, complemented in the row below; the
 * mean luma, BT.601 weights, of each cell's centre half against the mid-grey of video-range
 * black 16 and white 235), null when the two rows disagree, and with `withLuma` that quarter's
 * luma in base64. The cells are at most height/12 high, so both rows lie in the top quarter.
 * `__gscFrameNumber()` answers the number alone.
 */
const INSTALL_FRAME_READER = `(() => {
  const BITS = 16;
  const THRESHOLD = (16 + 235) / 2;
  window.__gscReadFrame = (withLuma) => {
    const canvas = document.querySelector('canvas.stream-canvas');
    if (!(canvas instanceof HTMLCanvasElement) || canvas.width < 2 * BITS || canvas.height < 64) return null;
    const context = canvas.getContext('2d');
    if (context === null) return null;
    const width = canvas.width;
    const height = canvas.height;
    const rows = Math.ceil(height / 4);
    const rgba = context.getImageData(0, 0, width, rows).data;
    const luma = new Uint8Array(width * rows);
    for (let i = 0; i < luma.length; i++) luma[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
    const cellWidth = Math.floor(width / BITS);
    const cellHeight = Math.max(8, Math.floor(height / 12 / 8) * 8);
    const mean = (x0, y0) => {
      let sum = 0;
      let n = 0;
      for (let y = y0 + (cellHeight >> 2); y < y0 + cellHeight - (cellHeight >> 2); y++) {
        for (let x = x0 + (cellWidth >> 2); x < x0 + cellWidth - (cellWidth >> 2); x++) {
          sum += luma[y * width + x];
          n++;
        }
      }
      return n === 0 ? 0 : sum / n;
    };
    let number = 0;
    for (let bit = 0; bit < BITS && number !== null; bit++) {
      const top = mean(bit * cellWidth, 0) > THRESHOLD;
      const bottom = mean(bit * cellWidth, cellHeight) > THRESHOLD;
      number = top === bottom ? null : number * 2 + (top ? 1 : 0);
    }
    if (!withLuma) return { number, width, height, rows, luma: '' };
    let text = '';
    for (let i = 0; i < luma.length; i += 0x8000) text += String.fromCharCode.apply(null, luma.subarray(i, i + 0x8000));
    return { number, width, height, rows, luma: btoa(text) };
  };
  window.__gscFrameNumber = () => {
    const frame = window.__gscReadFrame(false);
    return frame === null ? null : frame.number;
  };
})()`;
