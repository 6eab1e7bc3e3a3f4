// Splits an Annex-B elementary stream into access units by NAL type, for feeding decoders in
// tests: a new unit starts at a parameter set, AUD or SEI that follows a slice, or at a slice
// that begins a picture (H.264 first_mb_in_slice == 0, whose ue(v) code is a single 1 bit;
// H.265 first_slice_segment_in_pic_flag) when the current unit already has one.

export interface AccessUnitSpan {
  offset: number;
  length: number;
  keyFrame: boolean;
}

export function splitAccessUnits(stream: Uint8Array, codec: 'h264' | 'h265'): AccessUnitSpan[] {
  const starts = nalStarts(stream);
  const units: AccessUnitSpan[] = [];
  let unitStart = -1;
  let hasSlice = false;
  let key = false;
  const finish = (end: number): void => {
    if (unitStart >= 0) units.push({ offset: unitStart, length: end - unitStart, keyFrame: key });
  };
  for (const { prefixAt, payloadAt } of starts) {
    const nal = classify(stream, payloadAt, codec);
    const beginsUnit = hasSlice && (nal.kind === 'header' || (nal.kind === 'slice' && nal.firstInPicture));
    if (unitStart < 0 || beginsUnit) {
      finish(prefixAt);
      unitStart = prefixAt;
      hasSlice = false;
      key = false;
    }
    if (nal.kind === 'slice') {
      hasSlice = true;
      key ||= nal.key;
    }
  }
  finish(stream.length);
  return units;
}

type Nal = { kind: 'slice'; firstInPicture: boolean; key: boolean } | { kind: 'header' } | { kind: 'other' };

function classify(s: Uint8Array, at: number, codec: 'h264' | 'h265'): Nal {
  const b0 = s[at] ?? 0;
  if (codec === 'h264') {
    const type = b0 & 0x1f;
    if (type === 1 || type === 5) return { kind: 'slice', firstInPicture: ((s[at + 1] ?? 0) & 0x80) !== 0, key: type === 5 };
    return type === 6 || type === 7 || type === 8 || type === 9 ? { kind: 'header' } : { kind: 'other' };
  }
  const type = (b0 >> 1) & 0x3f;
  if (type <= 31) return { kind: 'slice', firstInPicture: ((s[at + 2] ?? 0) & 0x80) !== 0, key: type >= 16 && type <= 23 };
  return type === 32 || type === 33 || type === 34 || type === 35 || type === 39 ? { kind: 'header' } : { kind: 'other' };
}

function nalStarts(s: Uint8Array): Array<{ prefixAt: number; payloadAt: number }> {
  const out: Array<{ prefixAt: number; payloadAt: number }> = [];
  for (let i = 0; i + 2 < s.length; i++) {
    if (s[i] !== 0 || s[i + 1] !== 0 || s[i + 2] !== 1) continue;
    out.push({ prefixAt: i > 0 && s[i - 1] === 0 ? i - 1 : i, payloadAt: i + 3 });
    i += 2;
  }
  return out;
}
