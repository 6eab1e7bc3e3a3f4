// Annex-B elementary streams (H.264 / HEVC) cut into access units, the unit the simulator
// sends as one frame. An access unit starts at an access-unit delimiter, a parameter set or
// prefix SEI that follows picture data, or at the first slice of a new picture (H.264
// first_mb_in_slice = 0, HEVC first_slice_segment_in_pic_flag = 1): ITU-T H.264 §7.4.1.2.3,
// H.265 §7.4.2.4.4. Only what an encoder's own output needs is handled; no slice parsing
// beyond the first bit of the slice header.

// Named as the RTSP side names them (rtsp-handlers.ts AnnouncedStream.codec).
export type VideoCodec = 'h264' | 'hevc';

export interface NalUnit {
  /** Offset of the start code in the stream. */
  offset: number;
  /** Offset of the NAL header (after the 3- or 4-byte start code). */
  headerOffset: number;
  /** End (exclusive): the next start code, or the end of the stream. */
  end: number;
  type: number;
}

/** The NAL units of an Annex-B stream, start codes included in their spans. */
export function splitNalUnits(stream: Uint8Array, codec: VideoCodec): NalUnit[] {
  const starts: { offset: number; headerOffset: number }[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] !== 0 || stream[i + 1] !== 0 || stream[i + 2] !== 1) continue;
    const offset = i > 0 && stream[i - 1] === 0 ? i - 1 : i;
    starts.push({ offset, headerOffset: i + 3 });
    i += 2;
  }
  return starts.map((s, n) => ({
    ...s,
    end: starts[n + 1]?.offset ?? stream.length,
    type: nalType(stream[s.headerOffset] ?? 0, codec),
  }));
}

/** The access units of an encoder's Annex-B output, each a view into `stream`. */
export function splitAccessUnits(stream: Uint8Array, codec: VideoCodec): Uint8Array[] {
  const units: Uint8Array[] = [];
  let unitStart = -1;
  let hasPicture = false;
  for (const nal of splitNalUnits(stream, codec)) {
    const vcl = isVcl(nal.type, codec);
    const startsUnit = vcl ? hasPicture && isFirstSliceOfPicture(stream, nal, codec) : hasPicture && opensAccessUnit(nal.type, codec);
    if (unitStart >= 0 && startsUnit) {
      units.push(stream.subarray(unitStart, nal.offset));
      unitStart = -1;
      hasPicture = false;
    }
    if (unitStart < 0) unitStart = nal.offset;
    if (vcl) hasPicture = true;
  }
  if (unitStart >= 0) units.push(stream.subarray(unitStart));
  return units;
}

/** Whether the access unit holds an IDR / IRAP picture (H.264 type 5, HEVC types 16-21). */
export function isIdrAccessUnit(unit: Uint8Array, codec: VideoCodec): boolean {
  return splitNalUnits(unit, codec).some((nal) => (codec === 'h264' ? nal.type === H264_IDR_SLICE : nal.type >= HEVC_IRAP_FIRST && nal.type <= HEVC_IRAP_LAST));
}

export function nalType(headerByte: number, codec: VideoCodec): number {
  return codec === 'h264' ? headerByte & 0x1f : (headerByte >> 1) & 0x3f;
}

function isVcl(type: number, codec: VideoCodec): boolean {
  return codec === 'h264' ? type >= 1 && type <= 5 : type <= HEVC_VCL_LAST;
}

function isFirstSliceOfPicture(stream: Uint8Array, nal: NalUnit, codec: VideoCodec): boolean {
  // H.264: first_mb_in_slice is ue(v), 0 is the single bit 1. HEVC: the flag is the first bit
  // after the 2-byte NAL header.
  const at = nal.headerOffset + (codec === 'h264' ? 1 : 2);
  return ((stream[at] ?? 0) & 0x80) !== 0;
}

function opensAccessUnit(type: number, codec: VideoCodec): boolean {
  if (codec === 'h264') return type === 6 || type === 7 || type === 8 || type === 9 || (type >= 14 && type <= 18);
  return (type >= 32 && type <= 35) || type === 39 || (type >= 41 && type <= 44) || (type >= 48 && type <= 55);
}

const H264_IDR_SLICE = 5;
const HEVC_VCL_LAST = 31;
const HEVC_IRAP_FIRST = 16;
const HEVC_IRAP_LAST = 21;
