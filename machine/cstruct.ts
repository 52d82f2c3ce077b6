// C structs laid out in simulated memory, with C's alignment and padding rules (x86-64 ABI).
//
//   const BlockMeta = cstruct({ size: 'size_t', next: 'ptr', free: 'i32', magic: 'i32' });
//   BlockMeta.sizeof              // 24
//   BlockMeta.read(proc, meta, 'size')
//   BlockMeta.write(proc, meta, 'free', 1)
//   BlockMeta.at(proc, meta).next // the same, as properties
//
// An array field such as `data: 'u8[1]'` has no value of its own: reading it gives its
// address, as an array name decays to a pointer in C.

import { hex } from './format.ts';
import type { Process } from './process.ts';

export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64' | 'ptr' | 'size_t';
export type FieldType = ScalarType | `${ScalarType}[${number}]`;
export type StructFields = Record<string, FieldType>;

interface Scalar {
  size: number;
  load(proc: Process, addr: number): number;
  store(proc: Process, addr: number, value: number): void;
}

const SCALARS: Record<ScalarType, Scalar> = {
  u8: { size: 1, load: (p, a) => p.load8(a), store: (p, a, v) => p.store8(a, v) },
  u16: { size: 2, load: (p, a) => p.load16(a), store: (p, a, v) => p.store16(a, v) },
  u32: { size: 4, load: (p, a) => p.load32(a), store: (p, a, v) => p.store32(a, v) },
  u64: { size: 8, load: (p, a) => unsigned64(p, a), store: (p, a, v) => p.store64(a, v) },
  i8: { size: 1, load: (p, a) => (p.load8(a) << 24) >> 24, store: (p, a, v) => p.store8(a, v) },
  i16: { size: 2, load: (p, a) => (p.load16(a) << 16) >> 16, store: (p, a, v) => p.store16(a, v) },
  i32: { size: 4, load: (p, a) => p.load32(a) | 0, store: (p, a, v) => p.store32(a, v) },
  i64: { size: 8, load: (p, a) => p.load64(a), store: (p, a, v) => p.store64(a, v) },
  ptr: { size: 8, load: (p, a) => unsigned64(p, a), store: (p, a, v) => p.store64(a, v) },
  size_t: { size: 8, load: (p, a) => unsigned64(p, a), store: (p, a, v) => p.store64(a, v) },
};

/** An unsigned 64-bit field: a value with the top bit set is no size or pointer we can hold. */
function unsigned64(proc: Process, addr: number): number {
  const value = proc.load64(addr);
  if (value < 0) {
    throw new RangeError(`the unsigned 64-bit field at ${hex(addr)} holds ${value} read as signed: its top bit is set, so it is no size or pointer (overwritten?)`);
  }
  return value;
}

export interface FieldLayout {
  name: string;
  type: FieldType;
  offset: number;
  size: number;
  /** Elements for an array field; undefined for a scalar. */
  length: number | undefined;
}

export type StructView<F extends StructFields> = { [K in keyof F]: number };

export interface CStruct<F extends StructFields> {
  /** Bytes the struct occupies, padding included: C's sizeof. */
  readonly sizeof: number;
  /** The struct's alignment: that of its most aligned field. */
  readonly alignof: number;
  readonly fields: readonly FieldLayout[];
  offsetof(field: keyof F & string): number;
  read(proc: Process, base: number, field: keyof F & string): number;
  write(proc: Process, base: number, field: keyof F & string, value: number): void;
  /** The struct at `base` as an object whose properties load and store its fields. */
  at(proc: Process, base: number): StructView<F>;
  /** `{ size: 32, next: 0x0, … }`, for messages. */
  describe(proc: Process, base: number): string;
}

function parseType(type: FieldType): { scalar: ScalarType; length: number | undefined } {
  const match = /^(\w+)(?:\[(\d+)\])?$/.exec(type);
  if (match === null || !(match[1] in SCALARS)) {
    throw new TypeError(`cstruct: unknown field type '${type}'; use one of ${Object.keys(SCALARS).join(', ')}, or an array such as 'u8[16]'`);
  }
  return { scalar: match[1] as ScalarType, length: match[2] === undefined ? undefined : Number(match[2]) };
}

export function cstruct<F extends StructFields>(spec: F): CStruct<F> {
  const fields: FieldLayout[] = [];
  const byName = new Map<string, { layout: FieldLayout; scalar: Scalar }>();
  let offset = 0;
  let alignof = 1;
  for (const [name, type] of Object.entries(spec)) {
    const { scalar, length } = parseType(type);
    const element = SCALARS[scalar];
    const align = element.size; // every scalar is aligned to its own size on x86-64
    offset = Math.ceil(offset / align) * align;
    const layout: FieldLayout = { name, type, offset, size: element.size * (length ?? 1), length };
    fields.push(layout);
    byName.set(name, { layout, scalar: element });
    offset += layout.size;
    alignof = Math.max(alignof, align);
  }
  const sizeof = Math.ceil(offset / alignof) * alignof; // trailing padding, so arrays of the struct stay aligned

  const field = (name: string) => {
    const found = byName.get(name);
    if (found === undefined) throw new TypeError(`cstruct: no field '${name}' (fields: ${[...byName.keys()].join(', ')})`);
    return found;
  };
  const read = (proc: Process, base: number, name: string): number => {
    const { layout, scalar } = field(name);
    return layout.length === undefined ? scalar.load(proc, base + layout.offset) : base + layout.offset;
  };
  const write = (proc: Process, base: number, name: string, value: number): void => {
    const { layout, scalar } = field(name);
    if (layout.length !== undefined) throw new TypeError(`cstruct: '${name}' is an array; write its elements at offsetof('${name}') + i`);
    scalar.store(proc, base + layout.offset, value);
  };

  return {
    sizeof,
    alignof,
    fields,
    offsetof: (name) => field(name).layout.offset,
    read,
    write,
    at(proc, base) {
      const view = {} as StructView<F>;
      for (const { name } of fields) {
        Object.defineProperty(view, name, {
          enumerable: true,
          get: () => read(proc, base, name),
          set: (value: number) => write(proc, base, name, value),
        });
      }
      return view;
    },
    describe(proc, base) {
      const parts = fields.map(({ name, type, length, offset: at }) => {
        if (length !== undefined) return `${name}: [${length} at +${at}]`;
        const bytes = [...Array(byName.get(name)!.scalar.size).keys()].map((i) => proc.peek8(base + at + i));
        if (bytes.some((b) => b === undefined)) return `${name}: (unreadable)`;
        // Built from the bytes as a BigInt, so a smashed field prints exactly.
        const value = bytes.reduceRight((n, b) => n * 256n + BigInt(b as number), 0n);
        const digits = Math.max(8, value.toString(16).length);
        return `${name}: ${type === 'ptr' || value > 0xffffn ? `0x${value.toString(16).padStart(type === 'ptr' ? digits : 0, '0')}` : value}`;
      });
      return `{ ${parts.join(', ')} }`;
    },
  };
}
