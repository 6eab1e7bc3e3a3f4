// Reads the import and export signatures of a WebAssembly binary (type, import, function
// and export sections only), so tests can check what core.wasm asks of, and offers to, JS.

export type ValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'other';
export interface Signature { params: ValueType[]; results: ValueType[] }
export interface FunctionImport { module: string; name: string; signature: Signature }
export interface FunctionExport { name: string; signature: Signature }

export function readInterface(bytes: Uint8Array): { imports: FunctionImport[]; exports: FunctionExport[] } {
  const r = reader(bytes, 8);
  const types: Signature[] = [];
  const imports: FunctionImport[] = [];
  const functionTypes: number[] = [];
  const exports: FunctionExport[] = [];
  while (r.more()) {
    const id = r.byte();
    const end = r.u32() + r.at();
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        r.byte(); // 0x60: function type
        const params = r.vec(() => valueType(r.byte()));
        const results = r.vec(() => valueType(r.byte()));
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        if (kind === 0) {
          const signature = types[r.u32()];
          if (signature === undefined) throw new Error('import of an unknown type');
          imports.push({ module, name, signature });
          functionTypes.push(-1);
        } else {
          skipImportDescription(r, kind);
        }
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) functionTypes.push(r.u32());
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = r.byte();
        const index = r.u32();
        if (kind !== 0) continue;
        const signature = index < imports.length ? imports[index]?.signature : types[functionTypes[index] ?? -1];
        if (signature === undefined) throw new Error(`export ${name} of an unknown function`);
        exports.push({ name, signature });
      }
    }
    r.seek(end);
  }
  return { imports, exports };
}

function skipImportDescription(r: Reader, kind: number): void {
  if (kind === 1) { r.byte(); limits(r); } // table: element type, limits
  else if (kind === 2) limits(r); // memory
  else if (kind === 3) { r.byte(); r.byte(); } // global: type, mutability
}

function limits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if ((flags & 1) !== 0) r.u32();
}

function valueType(code: number): ValueType {
  switch (code) {
    case 0x7f: return 'i32';
    case 0x7e: return 'i64';
    case 0x7d: return 'f32';
    case 0x7c: return 'f64';
    default: return 'other';
  }
}

interface Reader {
  more(): boolean; at(): number; seek(offset: number): void; byte(): number; u32(): number; name(): string;
  vec<T>(item: () => T): T[];
}

function reader(bytes: Uint8Array, start: number): Reader {
  let at = start;
  const self: Reader = {
    more: () => at < bytes.length,
    at: () => at,
    seek: (offset) => { at = offset; },
    byte: () => {
      const b = bytes[at++];
      if (b === undefined) throw new Error('truncated module');
      return b;
    },
    u32: () => {
      let value = 0;
      for (let shift = 0; shift < 35; shift += 7) {
        const b = self.byte();
        value += (b & 0x7f) * 2 ** shift;
        if ((b & 0x80) === 0) return value;
      }
      throw new Error('bad LEB128');
    },
    name: () => {
      const length = self.u32();
      const text = new TextDecoder().decode(bytes.subarray(at, at + length));
      at += length;
      return text;
    },
    vec: (item) => Array.from({ length: self.u32() }, item),
  };
  return self;
}
