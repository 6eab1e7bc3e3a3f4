// IP address literals to and from the raw bytes the Sockets Extension takes
// (NetAddress.bytes, network order). Host names are not literals; they go to the resolver.

export type IpBytes = { family: 4 | 6; bytes: Uint8Array };

/** A dotted-quad IPv4 or an IPv6 literal (brackets allowed, zone index not), else null. */
export function parseIpLiteral(text: string): IpBytes | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIpv4(bare);
  if (v4 !== null) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(bare);
  return v6 === null ? null : { family: 6, bytes: v6 };
}

/** RFC 5952 text for IPv6 (lowercase, longest zero run shortened), dotted quad for IPv4. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  if (isV4Mapped(bytes)) return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not shortened
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** `::ffff:a.b.c.d` as the IPv4 address it stands for, so replies match what was sent to. */
export function unmapV4(bytes: Uint8Array): Uint8Array {
  return bytes.length === 16 && isV4Mapped(bytes) ? bytes.slice(12) : bytes;
}

export function v4Mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    // Leading zeros are refused: some resolvers read them as octal.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    out[i] = value;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  const groups: number[] = [];
  const tailGroups: number[] = [];
  if (!pushGroups(head, groups, halves.length === 1)) return null;
  if (!pushGroups(tail, tailGroups, true)) return null;
  const total = groups.length + tailGroups.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const all = [...groups, ...new Array<number>(8 - total).fill(0), ...tailGroups];
  const out = new Uint8Array(16);
  all.forEach((group, i) => {
    out[2 * i] = group >> 8;
    out[2 * i + 1] = group & 0xff;
  });
  return out;
}

/** Hex groups into `out`; a trailing dotted quad (only where `mayEndInV4`) counts as two. */
function pushGroups(parts: string[], out: number[], mayEndInV4: boolean): boolean {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i === parts.length - 1 && mayEndInV4 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === null) return false;
      out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(part)) return false;
    out.push(parseInt(part, 16));
  }
  return true;
}
