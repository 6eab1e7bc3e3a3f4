// Assembles small WebAssembly modules byte by byte, so loader tests can present exactly the
// imports, exports and start-up behaviour a case needs. Every value is an i32.

export interface TinyImport { module: string; name: string; params: number; results: 0 | 1 }
export interface TinyFunction { params: number; results: 0 | 1; body: number[]; exportAs?: string }
export interface TinyModule {
  imports?: TinyImport[];
  functions: TinyFunction[];
  memoryPages?: number;
  exportMemory?: boolean;
  data?: { offset: number; bytes: Uint8Array }[];
}

/** Opcodes used by the tests' function bodies. */
export const op = {
  i32Const: (value: number): number[] => [0x41, ...leb128Signed(value)],
  call: (index: number): number[] => [0x10, ...leb128(index)],
  drop: [0x1a],
};

export function assemble(m: TinyModule): Uint8Array {
  const imports = m.imports ?? [];
  const signatures = [...imports, ...m.functions].map((f) => [0x60, ...vector(Array.from({ length: f.params }, () => [0x7f])), ...vector(f.results === 1 ? [[0x7f]] : [])]);
  const exportsOf: number[][] = m.functions.flatMap((f, i) =>
    f.exportAs === undefined ? [] : [[...name(f.exportAs), 0x00, ...leb128(imports.length + i)]]);
  if (m.exportMemory === true) exportsOf.push([...name('memory'), 0x02, 0x00]);

  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  out.push(...section(1, vector(signatures)));
  if (imports.length > 0) out.push(...section(2, vector(imports.map((imp, i) => [...name(imp.module), ...name(imp.name), 0x00, ...leb128(i)]))));
  out.push(...section(3, vector(m.functions.map((_, i) => leb128(imports.length + i)))));
  if (m.memoryPages !== undefined) out.push(...section(5, vector([[0x00, ...leb128(m.memoryPages)]])));
  out.push(...section(7, vector(exportsOf)));
  out.push(...section(10, vector(m.functions.map((f) => {
    const body = [0x00, ...f.body, 0x0b];
    return [...leb128(body.length), ...body];
  }))));
  if (m.data !== undefined) {
    out.push(...section(11, vector(m.data.map((d) => [0x00, ...op.i32Const(d.offset), 0x0b, ...leb128(d.bytes.length), ...d.bytes]))));
  }
  return Uint8Array.from(out);
}

function section(id: number, payload: number[]): number[] {
  return [id, ...leb128(payload.length), ...payload];
}

function vector(items: number[][]): number[] {
  return [...leb128(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...leb128(bytes.length), ...bytes];
}

function leb128(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

function leb128Signed(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
