// The launcher icon, drawn at package time so that no binary image is kept in the repository:
// a rounded square in a dark blue gradient with a white "play" triangle. PNG encoding
// (signature, IHDR, IDAT, IEND; ISO/IEC 15948) is done here with node:zlib.

import { deflateSync } from 'node:zlib';
import { concatBytes } from './concat-bytes.ts';
import { crc32 } from './crc32.ts';

/** An RGBA PNG of `sizePx` × `sizePx`; deterministic for a given size. */
export function renderIconPng(sizePx: number): Uint8Array {
  if (!Number.isInteger(sizePx) || sizePx < 16 || sizePx > 4096) throw new Error(`icon size out of range: ${sizePx}`);
  const rowBytes = 1 + sizePx * 4;
  const raw = new Uint8Array(rowBytes * sizePx);
  for (let y = 0; y < sizePx; y++) {
    raw[y * rowBytes] = 0; // filter type 0 (None) for every scanline
    for (let x = 0; x < sizePx; x++) {
      const [r, g, b, a] = shadePixel(x, y, sizePx);
      const at = y * rowBytes + 1 + x * 4;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
      raw[at + 3] = a;
    }
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, sizePx);
  hv.setUint32(4, sizePx);
  header[8] = 8; // bits per channel
  header[9] = 6; // colour type: truecolour with alpha
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method 0
  header[12] = 0; // no interlace
  const idat = deflateSync(raw, { level: 9 });
  return concatBytes([
    kPngSignature,
    chunk('IHDR', header),
    chunk('IDAT', new Uint8Array(idat.buffer, idat.byteOffset, idat.length)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

type Rgba = [number, number, number, number];

/** Averages a 4×4 grid of samples per pixel so the edges are smooth at any size. */
function shadePixel(x: number, y: number, sizePx: number): Rgba {
  let r = 0;
  let g = 0;
  let b = 0;
  let a = 0;
  for (let sy = 0; sy < kSamples; sy++) {
    for (let sx = 0; sx < kSamples; sx++) {
      // Unit coordinates, 0..1 across the icon.
      const u = (x + (sx + 0.5) / kSamples) / sizePx;
      const v = (y + (sy + 0.5) / kSamples) / sizePx;
      const s = sample(u, v);
      // Premultiply so transparent samples do not darken the edge.
      r += s[0] * s[3];
      g += s[1] * s[3];
      b += s[2] * s[3];
      a += s[3];
    }
  }
  if (a === 0) return [0, 0, 0, 0];
  return [Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((a / (kSamples * kSamples)) * 255)];
}

function sample(u: number, v: number): Rgba {
  if (!insideRoundedSquare(u, v)) return [0, 0, 0, 0];
  if (insidePlayTriangle(u, v)) return [255, 255, 255, 1];
  // Diagonal gradient from deep blue (top left) to violet (bottom right).
  const t = (u + v) / 2;
  return [Math.round(20 + 90 * t), Math.round(40 + 10 * t), Math.round(110 + 90 * t), 1];
}

function insideRoundedSquare(u: number, v: number): boolean {
  const margin = 0.04;
  const radius = 0.18;
  const lo = margin + radius;
  const hi = 1 - margin - radius;
  const cx = Math.min(Math.max(u, lo), hi);
  const cy = Math.min(Math.max(v, lo), hi);
  return (u - cx) ** 2 + (v - cy) ** 2 <= radius * radius && u >= margin && u <= 1 - margin && v >= margin && v <= 1 - margin;
}

/** A right-pointing triangle centred on its centroid. */
function insidePlayTriangle(u: number, v: number): boolean {
  const left = 0.39;
  const right = 0.72;
  const halfHeight = 0.22;
  if (u < left || u > right) return false;
  const reach = halfHeight * (1 - (u - left) / (right - left));
  return Math.abs(v - 0.5) <= reach;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // The CRC covers the type and the data, not the length.
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const kSamples = 4;
const kPngSignature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
