// Chapter 7, hardened free lists (hardened.ts): an overrun into a free block breaks the seal
// of its link, and the next malloc names the block instead of following the link.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeapCorruption, Process, SegmentationFault, hex } from '../../machine/index.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';
import { FIRST_BLOCK, HARDENED_REGION_SIZE, SEALED, linkCheck } from '../../solutions/07-debug/hardened.ts';
import { ROOT } from '../../workbook/paths.ts';
import { TARGET_VARIABLE, loadExercise } from '../../workbook/target.ts';
import { replayChecked } from '../../workbook/trace/driver.ts';
import { readRep } from '../../workbook/trace/rep.ts';
import { formatFailure } from '../../workbook/trace/report.ts';
import { caught } from './caught.ts';

const { createHardenedZone } = await loadExercise<typeof import('./hardened.ts')>('07-debug/hardened.ts');

describe('hardened free lists', () => {
  it('seal each link: next XOR the secret, and a check field', () => {
    const proc = new Process();
    const zone = createHardenedZone(proc, { secret: 0x1234_5678 });
    const a = zone.malloc(32);
    const b = zone.malloc(32);
    expect(b - a).toBe(32); // one class per region, carved in order
    expect(a % HARDENED_REGION_SIZE).toBe(FIRST_BLOCK);
    zone.free(a);
    zone.free(b); // b → a → NULL
    const stored = proc.load32(b + SEALED.next);
    const unsealed = (stored ^ 0x1234_5678) >>> 0;
    const why = stored === a ? ' It holds a itself: XOR it with the secret.' : unsealed === a ? '' : ` Unsealed, it reads ${hex(unsealed)}, not a (${hex(a)}), the list's head when b was pushed: seal the link to the old head before the head becomes b.`;
    expect(hex(stored), `b's link to a, sealed: a XOR the secret 0x12345678.${why}\n${proc.hexdump(b, 16, { from: b, to: b + 8 })}`).toBe(hex((a ^ 0x1234_5678) >>> 0));
    expect(hex(proc.load32(b + SEALED.check)), `b's check field: linkCheck(b, a, secret)`).toBe(hex(linkCheck(b, a, 0x1234_5678)));
    expect(zone.check(), 'check() of two sealed links nothing has touched: a broken seal here means unseal reads the link wrong (the stored next XOR the secret, then linkCheck of that)').toBe('');
    expect(hex(zone.malloc(32)), 'malloc takes the last block freed first').toBe(hex(b));
    expect(hex(zone.malloc(32)), 'then follows its unsealed link').toBe(hex(a));
  });

  it('an overrun into a free block is caught at the next malloc, with the block\'s address', () => {
    const proc = new Process();
    const zone = createHardenedZone(proc);
    const a = zone.malloc(32);
    const b = zone.malloc(32);
    zone.free(b);
    proc.memset(a, 0x41, 40); // 8 bytes too many: over b's sealed link
    const error = caught(() => zone.malloc(32));
    expect(error, `malloc(32) after 8 bytes too many over b's sealed link: unseal finds the broken seal`).toBeInstanceOf(HeapCorruption);
    expect(hex((error as HeapCorruption).address), "the HeapCorruption's address: the damaged block b").toBe(hex(b));
    expect(error.message, 'the message and detail, as the TODO in unseal gives them').toMatch(new RegExp(`^malloc\\(\\): corrupted free-list link in free block ${hex(b)} \\(32-byte class\\): its check field is 0x41414141, the link needs 0x[0-9a-f]{8}\\nSomething wrote over the block after it was freed: an overrun from the block before it \\(${hex(a)}\\), or a use after free\\.`));
    expect(zone.check(), 'check() of the damaged list: it unseals every link, with the call check()').toMatch(new RegExp(`^check\\(\\): corrupted free-list link in free block ${hex(b)}`));
  });

  it('the same overrun: chapter 5\'s zone follows the link to a wild address, the sealed list stops at the block', () => {
    const proc = new Process();
    const zone = createZone(proc);
    const [a, b, , d] = [zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32)] as number[];
    zone.free(b!);
    zone.free(d!); // b is filed on a free list, d waits on death row
    proc.memset(a!, 0x41, 40);
    zone.malloc(32); // d, pardoned
    const fault = caught(() => zone.malloc(32)); // takes b off its list and follows b's links
    expect(fault).toBeInstanceOf(SegmentationFault);
    expect((fault as SegmentationFault).address).toBe(0x41414145);
    const sealed = new Process();
    const hardened = createHardenedZone(sealed);
    const [x, y] = [hardened.malloc(32), hardened.malloc(32)];
    hardened.free(y);
    sealed.memset(x, 0x41, 40);
    const stopped = caught(() => hardened.malloc(32));
    expect(stopped, 'the hardened zone should throw a HeapCorruption at the broken seal, not fault somewhere else').toBeInstanceOf(HeapCorruption);
    expect(hex((stopped as HeapCorruption).address), 'the corrupted block').toBe(hex(y));
  });

  it('a double free and a pointer inside a block are named', () => {
    const zone = createHardenedZone(new Process());
    const keep = zone.malloc(100);
    const ptr = zone.malloc(100);
    zone.free(ptr);
    expect(caught(() => zone.free(ptr)).message, `free(${hex(ptr)}) twice`).toBe(`free(): double free detected: ${hex(ptr)} (112-byte class) is already free`);
    expect(caught(() => zone.free(keep + 16)).message, `free(${hex(keep + 16)}), 16 bytes into a block`).toMatch(new RegExp(`^free\\(\\): invalid pointer ${hex(keep + 16)} \\(hardened region 0x[0-9a-f]{8} of 112-byte blocks: not the start of a block\\)$`));
  });

  it('carves a region only as far as it holds blocks: the next block of a full class comes from a new region', () => {
    const zone = createHardenedZone(new Process());
    const blocks = Array.from({ length: 65 }, () => zone.malloc(1000)); // the 1008-byte class: 64 to a region
    const regionOf = (ptr: number) => ptr - (ptr % HARDENED_REGION_SIZE);
    for (const ptr of blocks) {
      const end = ptr % HARDENED_REGION_SIZE + 1008;
      expect(end <= HARDENED_REGION_SIZE, `block ${hex(ptr)} of the 1008-byte class ends ${end - HARDENED_REGION_SIZE} bytes past the end of its 64 KiB region ${hex(regionOf(ptr))}: a region holds floor((65536 - ${FIRST_BLOCK}) / 1008) = 64 of them (capacity), so once carved reaches it, carve from a new region`).toBe(true);
    }
    expect(new Set(blocks.map(regionOf)).size, 'regions of 65 blocks of the 1008-byte class').toBe(2);
  });

  it('refuses a pointer to a block of the region that was never handed out', () => {
    const zone = createHardenedZone(new Process());
    const a = zone.malloc(32);
    const never = a + 5 * 32; // the sixth block of a's region: not carved yet
    expect(caught(() => zone.free(never)).message, `free(${hex(never)}), a block of the region past the one block carved: not a block (index >= carved), rather than a double free`).toMatch(new RegExp(`^free\\(\\): invalid pointer ${hex(never)} \\(hardened region 0x[0-9a-f]{8} of 32-byte blocks: not the start of a block\\)$`));
  });

  it('passes the shipped traces with every check of the trace driver', () => {
    for (const name of ['tiny.rep', 'mixed.rep', 'realloc.rep', 'random.rep']) {
      const result = replayChecked(readRep(resolve(ROOT, 'traces', name), name), createHardenedZone);
      if (result.failure !== undefined) {
        const target = process.env[TARGET_VARIABLE] ?? 'exercises';
        throw new Error(`${formatFailure({ result, shrunk: undefined }, { allocator: 'hardened', target })}`);
      }
    }
  });
});
