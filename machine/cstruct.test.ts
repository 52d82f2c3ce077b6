import { describe, expect, it } from 'vitest';
import { Process, cstruct } from './index.ts';

describe('cstruct', () => {
  it('lays out fields with C alignment and trailing padding', () => {
    const BlockMeta = cstruct({ size: 'size_t', next: 'ptr', free: 'i32', magic: 'i32' });
    expect(BlockMeta.sizeof).toBe(24);
    expect(BlockMeta.offsetof('next')).toBe(8);
    expect(BlockMeta.offsetof('magic')).toBe(20);
    const Mixed = cstruct({ flag: 'u8', size: 'u64', tag: 'u16' });
    expect([Mixed.offsetof('flag'), Mixed.offsetof('size'), Mixed.offsetof('tag'), Mixed.sizeof]).toEqual([0, 8, 16, 24]);
  });

  it("reproduces the padding bug of a `char data[1]` header: 32 bytes, not 24", () => {
    const WithData = cstruct({ size: 'size_t', next: 'ptr', free: 'i32', magic: 'i32', data: 'u8[1]' });
    expect(WithData.offsetof('data')).toBe(24);
    expect(WithData.sizeof).toBe(32);
  });

  it('reads and writes fields in simulated memory, signed where the type is', () => {
    const proc = new Process();
    const S = cstruct({ size: 'size_t', next: 'ptr', free: 'i32', magic: 'i32', small: 'i8', data: 'u8[4]' });
    const at = proc.sbrk(S.sizeof);
    S.write(proc, at, 'size', 4096);
    S.write(proc, at, 'magic', 0x12345678);
    S.write(proc, at, 'free', -1);
    const view = S.at(proc, at);
    view.small = -3;
    expect(view.size).toBe(4096);
    expect(proc.load32(at + 20)).toBe(0x12345678);
    expect(S.read(proc, at, 'free')).toBe(-1);
    expect(view.small).toBe(-3);
    expect(view.data).toBe(at + S.offsetof('data')); // an array decays to its address
    expect(S.describe(proc, at)).toContain('size: 4096');
  });

  it('refuses to read a negative size or pointer, and prints smashed fields exactly', () => {
    const proc = new Process();
    const S = cstruct({ size: 'size_t', next: 'ptr' });
    const at = proc.sbrk(S.sizeof);
    proc.memset(at, 0xff, 16);
    expect(() => S.read(proc, at, 'size')).toThrow(/top bit is set/);
    expect(S.describe(proc, at)).toBe('{ size: 0xffffffffffffffff, next: 0xffffffffffffffff }');
  });

  it('names the unknown field or type', () => {
    expect(() => cstruct({ x: 'float' as 'u8' })).toThrow(/unknown field type 'float'/);
    const S = cstruct({ a: 'u8' });
    expect(() => S.offsetof('b' as 'a')).toThrow(/no field 'b'/);
  });
});
