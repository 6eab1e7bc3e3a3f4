// Box art for the simulated apps: small valid PNGs made here with node:zlib, one colour and
// stripe pattern per app so that a person (or a screenshot test) can tell the covers apart.

import { deflateSync } from 'node:zlib';
import { crc32 } from './crc32.ts';

/** GameStream box art is portrait; Sunshine's own default image is 600x800 and clients scale. */
export const BOX_ART_WIDTH_PX = 300;
export const BOX_ART_HEIGHT_PX = 400;

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Cover art derived from `seed` (an app id): hue, stripe width and direction vary with it. */
export function makeBoxArtPng(seed: number, widthPx = BOX_ART_WIDTH_PX, heightPx = BOX_ART_HEIGHT_PX): Uint8Array {
  const hue = (seed >>> 0) % 360;
  const base = hsvToRgb(hue, 0.65, 0.85);
  const dark = hsvToRgb(hue, 0.8, 0.45);
  const stripePx = 12 + ((seed >>> 9) % 5) * 6;
  const rising = ((seed >>> 13) & 1) === 1;
  return encodeRgbPng(widthPx, heightPx, (x, y) => {
    const border = x < 8 || y < 8 || x >= widthPx - 8 || y >= heightPx - 8;
    const band = Math.floor((rising ? x + y : x - y + heightPx) / stripePx) % 2 === 0;
    return border ? [20, 20, 20] : band ? base : dark;
  });
}

/** The image for unknown ids and apps without art: a grey frame, like Sunshine's default box. */
export function makeDefaultBoxArtPng(): Uint8Array {
  return encodeRgbPng(BOX_ART_WIDTH_PX, BOX_ART_HEIGHT_PX, (x, y) => {
    const frame = x < 24 || y < 24 || x >= BOX_ART_WIDTH_PX - 24 || y >= BOX_ART_HEIGHT_PX - 24;
    return frame ? [90, 90, 90] : [160, 160, 160];
  });
}

export function hasPngSignature(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** An 8-bit RGB PNG, every scanline with filter type 0. */
export function encodeRgbPng(widthPx: number, heightPx: number, pixel: (x: number, y: number) => readonly number[]): Uint8Array {
  const stride = 1 + widthPx * 3;
  const raw = Buffer.alloc(stride * heightPx);
  for (let y = 0; y < heightPx; y += 1) {
    for (let x = 0; x < widthPx; x += 1) {
      const [r, g, b] = pixel(x, y);
      const at = y * stride + 1 + x * 3;
      raw[at] = r ?? 0;
      raw[at + 1] = g ?? 0;
      raw[at + 2] = b ?? 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(widthPx, 0);
  ihdr.writeUInt32BE(heightPx, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  return new Uint8Array(
    Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]),
  );
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function hsvToRgb(hueDeg: number, s: number, v: number): number[] {
  const c = v * s;
  const h = hueDeg / 60;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = v - c;
  return [r, g, b].map((k) => Math.round((k + m) * 255));
}
