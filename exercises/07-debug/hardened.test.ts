// Chapter 7's hardened free lists (solutions/07-debug/hardened.ts): an overrun into a free
// block breaks the seal of its link, and the next malloc names the block.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeapCorruption, Process, SegmentationFault, hex } from '../../machine/index.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';
import { FIRST_BLOCK, HARDENED_REGION_SIZE, SEALED, createHardenedZone, linkCheck } from '../../solutions/07-debug/hardened.ts';
import { ROOT } from '../paths.ts';
import { replayChecked } from '../trace/driver.ts';
import { readRep } from '../trace/rep.ts';
import { caught } from './caught.ts';

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
    expect(proc.load32(b + SEALED.next)).toBe((a ^ 0x1234_5678) >>> 0);
    expect(proc.load32(b + SEALED.check)).toBe(linkCheck(b, a, 0x1234_5678));
    expect(zone.check()).toBe('');
    expect(zone.malloc(32)).toBe(b);
    expect(zone.malloc(32)).toBe(a);
  });

  it('an overrun into a free block is caught at the next malloc, with the block\'s address', () => {
    const proc = new Process();
    const zone = createHardenedZone(proc);
    const a = zone.malloc(32);
    const b = zone.malloc(32);
    zone.free(b);
    proc.memset(a, 0x41, 40); // 8 bytes too many: over b's sealed link
    const error = caught(() => zone.malloc(32));
    expect(error).toBeInstanceOf(HeapCorruption);
    expect((error as HeapCorruption).address).toBe(b);
    expect(error.message).toMatch(new RegExp(`^malloc\\(\\): corrupted free-list link in free block ${hex(b)} \\(32-byte class\\): its check field is 0x41414141, the link needs 0x[0-9a-f]{8}\\nSomething wrote over the block after it was freed: an overrun from the block before it \\(${hex(a)}\\), or a use after free\\.`));
    expect(zone.check()).toMatch(new RegExp(`^check\\(\\): corrupted free-list link in free block ${hex(b)}`));
  });

  it('where chapter 5\'s zone follows the overwritten link to a wild address, far from the bug', () => {
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
  });

  it('a double free and a pointer inside a block are named', () => {
    const zone = createHardenedZone(new Process());
    const keep = zone.malloc(100);
    const ptr = zone.malloc(100);
    zone.free(ptr);
    expect(caught(() => zone.free(ptr)).message).toBe(`free(): double free detected: ${hex(ptr)} (112-byte class) is already free`);
    expect(caught(() => zone.free(keep + 16)).message).toMatch(new RegExp(`^free\\(\\): invalid pointer ${hex(keep + 16)} \\(hardened region 0x[0-9a-f]{8} of 112-byte blocks: not the start of a block\\)$`));
  });

  it('passes the shipped traces with every check of the trace driver', () => {
    for (const name of ['tiny.rep', 'mixed.rep', 'realloc.rep', 'random.rep']) {
      const result = replayChecked(readRep(resolve(ROOT, 'traces', name), name), createHardenedZone);
      expect(result.failure?.message, name).toBeUndefined();
    }
  });
});
