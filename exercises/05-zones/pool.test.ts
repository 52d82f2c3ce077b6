// Chapter 5, step 9: a pool of objects of one size, carved from 64 KiB slabs, the free ones
// on a list threaded through their own first bytes.
import { describe, expect, it } from 'vitest';
import { ENOMEM, PROT_READ, PROT_WRITE, Process, hex, type ProcessOptions } from '../../machine/index.ts';
import { mulberry32 as seededRandom } from '../../workbook/trace/prng.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';
import { expectCorruption } from './zone-testing.ts';

const { createPool, POOL, POOL_BYTES, SLAB_HEADER, SLAB_SIZE } = await loadExercise<typeof import('./pool.ts')>('05-zones/pool.ts');

function setUp(size = 24, processOptions: ProcessOptions = {}) {
  const proc = new Process(processOptions);
  const pool = createPool(proc, size);
  const base = proc.static('pool_pool', POOL_BYTES); // the pool's own record: createPool names it after the pool
  const read = (field: keyof typeof POOL) => proc.load32(base + POOL[field]);
  function alloc(): number {
    const p = pool.alloc();
    expect(p, 'alloc() returned NULL').not.toBe(0);
    return p;
  }
  return { proc, pool, read, alloc, record: () => `the pool's record at ${hex(base)} (u32: freeList, objectSize, slabs, inUse):\n${around(proc, base, 16)}` };
}

describe('alloc and free', () => {
  it('hands out objects in address order from a 64 KiB-aligned slab', () => {
    const { proc, pool, read, alloc, record } = setUp(24);
    expect(pool.objectSize, 'createPool(proc, 24): objects of 24 bytes rounded up to 16').toBe(32);
    const [a, b, c] = [alloc(), alloc(), alloc()];
    const slab = a - (a % SLAB_SIZE);
    expect(hex(a), `the first object is SLAB_HEADER (${SLAB_HEADER}) bytes into its slab ${hex(slab)}`).toBe(hex(slab + SLAB_HEADER));
    expect([b - a, c - b], 'the next objects follow, one object size apart').toEqual([32, 32]);
    expect([hex(read('slabs')), proc.load32(slab)], `POOL.slabs is the slab, and the slab's link to an older one is 0\n${record()}`).toEqual([hex(slab), 0]);
    expect([read('inUse'), pool.inUse()], `three objects in use\n${record()}`).toEqual([3, 3]);
  });

  it('aligns its slab to 64 KiB even when mmap would place it elsewhere, so that free finds the slab from the pointer', () => {
    const proc = new Process();
    const page = proc.mmap(4096, PROT_READ | PROT_WRITE, { name: 'a page mapped before the pool' }); // the next mapping lands 4 KiB lower: not 64 KiB-aligned
    const pool = createPool(proc, 24);
    const a = pool.alloc();
    const slab = a - SLAB_HEADER;
    expect(
      hex(slab % SLAB_SIZE),
      `alloc() = ${hex(a)} after a page was mapped at ${hex(page)}: its slab ${hex(slab)} must start on a multiple of SLAB_SIZE (${hex(SLAB_SIZE)}), as mapAligned gives, or free cannot find it by masking the pointer\n${proc.maps()}`,
    ).toBe(hex(0));
    pool.free(a);
    expect(pool.inUse(), 'after alloc and free, none in use').toBe(0);
  });

  it('free pushes onto the list: the last object freed is the next one handed out', () => {
    const { proc, pool, read, alloc, record } = setUp(24);
    const [a, , c] = [alloc(), alloc(), alloc()];
    const fresh = c + 32;
    pool.free(a);
    pool.free(c);
    expect(hex(read('freeList')), `POOL.freeList after free(${hex(a)}), free(${hex(c)})\n${record()}`).toBe(hex(c));
    expect(hex(proc.load32(c)), `the link in the first 4 bytes of ${hex(c)}: the object freed before it\n${around(proc, c, 8)}`).toBe(hex(a));
    expect(pool.inUse(), 'one object left in use').toBe(1);
    expect([alloc(), alloc(), alloc()].map((p) => hex(p)), 'alloc() three times: c, then a, then the next fresh object').toEqual([c, a, fresh].map((p) => hex(p)));
  });

  it('maps a new slab when the first is used up, linked to the one before', () => {
    const { proc, pool, read, alloc } = setUp(100);
    const perSlab = Math.floor((SLAB_SIZE - SLAB_HEADER) / 112);
    const first = alloc();
    const slab = first - (first % SLAB_SIZE);
    for (let i = 1; i < perSlab; i++) {
      const p = alloc();
      if (p - (p % SLAB_SIZE) !== slab) expect.fail(`object ${i + 1} of ${perSlab} that fit in a slab of 112-byte objects is at ${hex(p)}, outside the slab ${hex(slab)}`);
    }
    const mapped = proc.stats().mappedBytes;
    const next = alloc();
    const second = next - (next % SLAB_SIZE);
    expect(second, `object ${perSlab + 1} = ${hex(next)} needs a new slab`).not.toBe(slab);
    expect(hex(next), 'the first object of the new slab').toBe(hex(second + SLAB_HEADER));
    expect(proc.stats().mappedBytes - mapped, 'one more slab of 64 KiB is mapped').toBe(SLAB_SIZE);
    expect([hex(read('slabs')), hex(proc.load32(second))], `POOL.slabs is the new slab; its first u32 links the old one\n${around(proc, second, 16)}`).toEqual([hex(second), hex(slab)]);
    pool.free(first);
    expect(hex(alloc()), 'an object freed in the old slab is handed out first').toBe(hex(first));
  });

  it('fits only whole objects in a slab: the last one ends inside it', () => {
    const { proc, alloc } = setUp(32);
    const perSlab = Math.floor((SLAB_SIZE - SLAB_HEADER) / 32); // 2,047: 16 bytes are left over
    const first = alloc();
    const slab = first - (first % SLAB_SIZE);
    for (let i = 1; i < perSlab; i++) alloc();
    const next = alloc();
    if (next - (next % SLAB_SIZE) === slab) {
      expect.fail(
        `object ${perSlab + 1} = ${hex(next)} is in the slab ${hex(slab)} too, but only ${perSlab} objects of 32 bytes fit after the ${SLAB_HEADER}-byte header: it would run ${next + 32 - (slab + SLAB_SIZE)} bytes past the slab's end (${hex(slab + SLAB_SIZE)}). Count the objects with Math.floor\n${around(proc, next, 16)}`,
      );
    }
  });

  it('returns NULL with ENOMEM when no slab can be mapped', () => {
    const { proc, pool } = setUp(24, { mmapLimit: 32 * 1024 });
    expect(pool.alloc(), 'alloc() with no room for a 64 KiB slab').toBe(0);
    expect(proc.errno).toBe(ENOMEM);
  });
});

describe('invalid pointers', () => {
  it('free refuses a pointer that is not one of its objects; free(NULL) does nothing', () => {
    const { proc, pool, alloc } = setUp(24);
    const a = alloc();
    const slab = a - (a % SLAB_SIZE);
    pool.free(0);
    expectCorruption(() => pool.free(0x12345670), 'free(0x12345670), in no slab of the pool', ['invalid pointer']);
    expectCorruption(() => pool.free(slab + 8), `free(${hex(slab + 8)}), in the slab's header`, ['invalid pointer']);
    expectCorruption(() => pool.free(a + 8), `free(${hex(a + 8)}), inside an object`, ['invalid pointer']);
    const sixteen = createPool(proc, 16, 'sixteen');
    const s16 = sixteen.alloc();
    const slab16 = s16 - (s16 % SLAB_SIZE);
    expectCorruption(
      () => sixteen.free(slab16),
      `free(${hex(slab16)}), the start of a slab of 16-byte objects: its header, though ptr - slab - SLAB_HEADER = -16 is a multiple of 16 (check ptr >= slab + SLAB_HEADER too)`,
      ['invalid pointer'],
    );
    const other = createPool(proc, 24, 'other');
    const theirs = other.alloc();
    expectCorruption(() => pool.free(theirs), `free(${hex(theirs)}), an object of another pool`, ['invalid pointer']);
    expect(pool.inUse(), 'nothing was freed').toBe(1);
  });
});

describe('a long run', () => {
  it('5,000 random allocs and frees: no object handed out twice, every byte kept', () => {
    const { proc, pool, alloc } = setUp(40);
    const random = seededRandom(21);
    const live = new Map<number, number>(); // address -> seed
    for (let op = 0; op < 5000; op++) {
      if (live.size > 0 && random() < 0.45) {
        const addresses = [...live.keys()];
        const p = addresses[Math.floor(random() * addresses.length)];
        const damage = findPatternDamage(proc, p, 48, live.get(p)!);
        if (damage !== undefined) expect.fail(`op ${op}: object ${hex(p)} changed at ${hex(damage)} while it was in use:\n${around(proc, damage, 1)}`);
        pool.free(p);
        live.delete(p);
      } else {
        const p = alloc();
        expect(live.has(p), `op ${op}: alloc() = ${hex(p)}, an object already in use`).toBe(false);
        fillPattern(proc, p, 48, op);
        live.set(p, op);
      }
    }
    expect(pool.inUse(), 'inUse counts the objects handed out and not freed').toBe(live.size);
  });
});
