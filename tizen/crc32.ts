// CRC-32 with the reflected ISO-HDLC polynomial: the checksum both ZIP entries and PNG chunks carry.

/** `seed` continues a running checksum (the result of an earlier call); 0 starts a new one. */
export function crc32(bytes: Uint8Array, seed = 0): number {
  let crc = ~seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    crc = (crc >>> 8) ^ (crcTable[(crc ^ (bytes[i] as number)) & 0xff] as number);
  }
  return ~crc >>> 0;
}

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? kPolynomialReversed ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const kPolynomialReversed = 0xedb88320;
const crcTable = makeCrcTable();
