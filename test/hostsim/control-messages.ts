// The control stream's message catalogue as Sunshine speaks it (data-plane.md §4.4): what the
// client sends, parsed into one union, and what the host sends, encoded from another. Type
// numbers are Sunshine's ("Gen 7 encrypted" column). Payload lengths from the network are
// checked before any read: a message too short for its type comes out as `malformed` (Sunshine
// itself would read past its end). Sunshine writes its own fields in native order, which is
// little-endian on every platform it ships on (§0.2); the termination code is big-endian.

import type { ControlFrame } from './control-envelope.ts';

export const CONTROL_TYPE = {
  startA: 0x0305,
  startB: 0x0307,
  invalidateReferenceFrames: 0x0301,
  lossStats: 0x0201,
  frameStats: 0x0204,
  inputData: 0x0206,
  rumble: 0x010b,
  termination: 0x0109,
  periodicPing: 0x0200,
  requestIdr: 0x0302,
  hdrMode: 0x010e,
  rumbleTriggers: 0x5500,
  setMotionEvent: 0x5501,
  setRgbLed: 0x5502,
  adaptiveTriggers: 0x5503,
  /** Client to host only: the same number as setRgbLed in the other direction (§4.4). */
  frameFecStatus: 0x5502,
  ltrAck: 0x0350,
} as const;

/** The only termination code Sunshine sends: the host ended the stream normally (§4.4.15). */
export const TERMINATION_GRACEFUL = 0x80030023;

/** §4.4.7, every field big-endian. */
export interface FrameFecStatus {
  frameIndex: number;
  highestReceivedSequence: number;
  nextContiguousSequence: number;
  missingPacketsBelowHighest: number;
  dataShards: number;
  parityShards: number;
  dataShardsReceived: number;
  parityShardsReceived: number;
  fecPercentage: number;
  blockIndex: number;
  blockCount: number;
}

export type ClientControlMessage =
  | { kind: 'request-idr' }
  | { kind: 'start-a' }
  | { kind: 'start-b' }
  | { kind: 'invalidate-reference-frames'; firstFrame: number; lastFrame: number }
  | { kind: 'loss-stats'; lossCount: number; intervalMs: number; lastGoodFrame: number }
  | { kind: 'frame-stats' }
  | { kind: 'frame-fec-status'; status: FrameFecStatus }
  | { kind: 'periodic-ping' }
  /** An input packet (§5), the V2 header taken off. */
  | { kind: 'input'; packet: Uint8Array }
  | { kind: 'ltr-ack'; frameIndex: number }
  | { kind: 'unknown'; type: number; payload: Uint8Array }
  | { kind: 'malformed'; type: number; payloadBytes: number };

/** HDR10 static metadata (§4.4.14): primaries and white point in 1/50 000, luminance in nits except the minimum (1/10 000 nit). */
export interface HdrMetadata {
  displayPrimaries: readonly [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }];
  whitePoint: { x: number; y: number };
  maxDisplayLuminanceNits: number;
  minDisplayLuminance10000thNits: number;
  maxContentLightLevelNits: number;
  maxFrameAverageLightLevelNits: number;
  maxFullFrameLuminanceNits: number;
}

export type HostControlMessage =
  | { kind: 'hdr-mode'; enabled: boolean; metadata: HdrMetadata }
  | { kind: 'termination'; code: number }
  | { kind: 'rumble'; controller: number; lowFrequency: number; highFrequency: number }
  | { kind: 'rumble-triggers'; controller: number; left: number; right: number }
  | { kind: 'set-motion-event'; controller: number; reportRateHz: number; motionType: number }
  | { kind: 'set-rgb-led'; controller: number; r: number; g: number; b: number }
  | { kind: 'adaptive-triggers'; controller: number; eventFlags: number; typeLeft: number; typeRight: number; left: Uint8Array; right: Uint8Array };

/** What Sunshine sends for SDR: HDR off and every metadata field zero (§9: 27 zero bytes). */
export const NO_HDR_METADATA: HdrMetadata = {
  displayPrimaries: [
    { x: 0, y: 0 },
    { x: 0, y: 0 },
    { x: 0, y: 0 },
  ],
  whitePoint: { x: 0, y: 0 },
  maxDisplayLuminanceNits: 0,
  minDisplayLuminance10000thNits: 0,
  maxContentLightLevelNits: 0,
  maxFrameAverageLightLevelNits: 0,
  maxFullFrameLuminanceNits: 0,
};

export function parseClientMessage(frame: ControlFrame): ClientControlMessage {
  const p = frame.payload;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const short = (bytes: number): boolean => p.length < bytes;
  const malformed: ClientControlMessage = { kind: 'malformed', type: frame.type, payloadBytes: p.length };
  switch (frame.type) {
    case CONTROL_TYPE.requestIdr:
      return { kind: 'request-idr' };
    case CONTROL_TYPE.startA:
      return { kind: 'start-a' };
    case CONTROL_TYPE.startB:
      return { kind: 'start-b' };
    case CONTROL_TYPE.periodicPing:
      return { kind: 'periodic-ping' };
    case CONTROL_TYPE.frameStats:
      return { kind: 'frame-stats' };
    case CONTROL_TYPE.inputData:
      return { kind: 'input', packet: p.slice() };
    case CONTROL_TYPE.invalidateReferenceFrames:
      // Sunshine reads two LE64 frame numbers.
      if (short(16)) return malformed;
      return { kind: 'invalidate-reference-frames', firstFrame: Number(view.getBigInt64(0, true)), lastFrame: Number(view.getBigInt64(8, true)) };
    case CONTROL_TYPE.lossStats:
      // Sunshine reads LE32 words 0 (count), 1 (interval) and 3 (low half of the last good frame).
      if (short(16)) return malformed;
      return { kind: 'loss-stats', lossCount: view.getInt32(0, true), intervalMs: view.getInt32(4, true), lastGoodFrame: view.getInt32(12, true) };
    case CONTROL_TYPE.frameFecStatus:
      if (short(FEC_STATUS_BYTES)) return malformed;
      return { kind: 'frame-fec-status', status: parseFecStatus(view) };
    case CONTROL_TYPE.ltrAck:
      if (short(4)) return malformed;
      return { kind: 'ltr-ack', frameIndex: view.getUint32(0, true) };
    default:
      return { kind: 'unknown', type: frame.type, payload: p.slice() };
  }
}

export function encodeHostMessage(m: HostControlMessage): ControlFrame {
  switch (m.kind) {
    case 'hdr-mode': {
      const { payload, view } = alloc(HDR_MODE_BYTES);
      const d = m.metadata;
      payload[0] = m.enabled ? 1 : 0;
      const words = [...d.displayPrimaries.flatMap((c) => [c.x, c.y]), d.whitePoint.x, d.whitePoint.y, d.maxDisplayLuminanceNits, d.minDisplayLuminance10000thNits, d.maxContentLightLevelNits, d.maxFrameAverageLightLevelNits, d.maxFullFrameLuminanceNits];
      words.forEach((w, i) => view.setUint16(1 + 2 * i, w, true));
      return { type: CONTROL_TYPE.hdrMode, payload };
    }
    case 'termination': {
      const { payload, view } = alloc(4);
      view.setUint32(0, m.code >>> 0, false);
      return { type: CONTROL_TYPE.termination, payload };
    }
    case 'rumble': {
      const { payload, view } = alloc(10);
      view.setUint32(0, RUMBLE_FILLER, true);
      view.setUint16(4, m.controller, true);
      view.setUint16(6, m.lowFrequency, true);
      view.setUint16(8, m.highFrequency, true);
      return { type: CONTROL_TYPE.rumble, payload };
    }
    case 'rumble-triggers': {
      const { payload, view } = alloc(6);
      [m.controller, m.left, m.right].forEach((w, i) => view.setUint16(2 * i, w, true));
      return { type: CONTROL_TYPE.rumbleTriggers, payload };
    }
    case 'set-motion-event': {
      const { payload, view } = alloc(5);
      view.setUint16(0, m.controller, true);
      view.setUint16(2, m.reportRateHz, true);
      payload[4] = m.motionType;
      return { type: CONTROL_TYPE.setMotionEvent, payload };
    }
    case 'set-rgb-led': {
      const { payload, view } = alloc(5);
      view.setUint16(0, m.controller, true);
      payload.set([m.r, m.g, m.b], 2);
      return { type: CONTROL_TYPE.setRgbLed, payload };
    }
    case 'adaptive-triggers': {
      const { payload, view } = alloc(5 + 2 * TRIGGER_EFFECT_BYTES);
      view.setUint16(0, m.controller, true);
      payload.set([m.eventFlags, m.typeLeft, m.typeRight], 2);
      payload.set(m.left.subarray(0, TRIGGER_EFFECT_BYTES), 5);
      payload.set(m.right.subarray(0, TRIGGER_EFFECT_BYTES), 5 + TRIGGER_EFFECT_BYTES);
      return { type: CONTROL_TYPE.adaptiveTriggers, payload };
    }
  }
}

/** The reverse of encodeHostMessage, for tests and test clients; null for other types or lengths. */
export function parseHostMessage(frame: ControlFrame): HostControlMessage | null {
  const p = frame.payload;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  switch (frame.type) {
    case CONTROL_TYPE.hdrMode: {
      if (p.length !== HDR_MODE_BYTES) return null;
      const point = (at: number): { x: number; y: number } => ({ x: u16(at), y: u16(at + 2) });
      return {
        kind: 'hdr-mode',
        enabled: p[0] !== 0,
        metadata: {
          displayPrimaries: [point(1), point(5), point(9)],
          whitePoint: point(13),
          maxDisplayLuminanceNits: u16(17),
          minDisplayLuminance10000thNits: u16(19),
          maxContentLightLevelNits: u16(21),
          maxFrameAverageLightLevelNits: u16(23),
          maxFullFrameLuminanceNits: u16(25),
        },
      };
    }
    case CONTROL_TYPE.termination:
      return p.length === 4 ? { kind: 'termination', code: view.getUint32(0, false) } : null;
    case CONTROL_TYPE.rumble:
      return p.length === 10 ? { kind: 'rumble', controller: u16(4), lowFrequency: u16(6), highFrequency: u16(8) } : null;
    default:
      return null;
  }
}

function parseFecStatus(view: DataView): FrameFecStatus {
  return {
    frameIndex: view.getUint32(0, false),
    highestReceivedSequence: view.getUint16(4, false),
    nextContiguousSequence: view.getUint16(6, false),
    missingPacketsBelowHighest: view.getUint16(8, false),
    dataShards: view.getUint16(10, false),
    parityShards: view.getUint16(12, false),
    dataShardsReceived: view.getUint16(14, false),
    parityShardsReceived: view.getUint16(16, false),
    fecPercentage: view.getUint8(18),
    blockIndex: view.getUint8(19),
    blockCount: view.getUint8(20),
  };
}

function alloc(bytes: number): { payload: Uint8Array; view: DataView } {
  const payload = new Uint8Array(bytes);
  return { payload, view: new DataView(payload.buffer) };
}

const HDR_MODE_BYTES = 27;
const FEC_STATUS_BYTES = 21;
const TRIGGER_EFFECT_BYTES = 10;
/** The first rumble word carries nothing; Sunshine fills it with this value (§4.4.9). */
const RUMBLE_FILLER = 0x00c0ffee;
