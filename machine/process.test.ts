import { describe, expect, it, vi } from 'vitest';
import {
  EINVAL,
  ENOMEM,
  LAYOUT,
  MADV_DONTNEED,
  MAP_FAILED,
  PAGE_SIZE,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
  Process,
  RunawayLoop,
  SegmentationFault,
} from './index.ts';

function faultOf(fn: () => unknown): SegmentationFault {
  try {
    fn();
  } catch (error) {
    if (error instanceof SegmentationFault) return error;
    throw error;
  }
  throw new Error('expected a SegmentationFault, but the access succeeded');
}

describe('the address space', () => {
  it('starts with the program, its data segment and a stack, and no heap', () => {
    const proc = new Process();
    const names = proc.mappingList().map((m) => m.name);
    expect(names).toEqual(['/workbook/program', '/workbook/program', '[stack]']);
    expect(proc.stats().heapBytes).toBe(0);
  });

  it('faults on NULL and on small offsets from it, naming the null page', () => {
    const proc = new Process();
    const fault = faultOf(() => proc.load64(8));
    expect(fault.address).toBe(8);
    expect(fault.access).toBe('read');
    expect(fault.width).toBe(8);
    expect(fault.reason).toBe('unmapped');
    expect(fault.message).toMatch(/read of 8 bytes at 0x00000008.*null page/);
  });

  it("faults in the kernel's half of the address space, saying a program never gets it", () => {
    const proc = new Process();
    const stackTop = proc.mappingList().find((m) => m.name === '[stack]')!.end;
    expect(stackTop).toBeLessThanOrEqual(LAYOUT.userSpaceEnd);
    const fault = faultOf(() => proc.load32(0xdead_beec));
    expect(fault.reason).toBe('unmapped');
    expect(fault.message).toBe(
      "Segmentation fault: read of 4 bytes at 0xdeadbeec, in the kernel's half of the address space (from 0x80000000), which a program never gets (is it a size, or a pointer read from the wrong bytes?).",
    );
    expect(faultOf(() => proc.load32(LAYOUT.userSpaceEnd - 4)).message).not.toContain('kernel');
  });

  it('names the nearest mapping when an access misses', () => {
    const proc = new Process();
    proc.sbrk(100);
    const fault = faultOf(() => proc.store8(LAYOUT.heapStart + PAGE_SIZE, 1));
    expect(fault.nearest?.name).toBe('[heap]');
    expect(fault.message).toContain('first byte past its end');
    const below = faultOf(() => proc.load8(LAYOUT.heapStart - 1));
    expect(below.message).toContain('(the byte just below its start)');
    expect(faultOf(() => proc.load8(LAYOUT.heapStart - 2)).message).toContain('(2 bytes below its start)');
  });

  it('faults on an access that straddles the end of a mapping, at the first missing byte', () => {
    const proc = new Process();
    const start = proc.sbrk(PAGE_SIZE);
    proc.store32(start + PAGE_SIZE - 4, 0xdeadbeef); // the last word fits
    const fault = faultOf(() => proc.load64(start + PAGE_SIZE - 4));
    expect(fault.address).toBe(start + PAGE_SIZE);
    expect(fault.accessStart).toBe(start + PAGE_SIZE - 4);
  });

  it('rejects addresses that are not integers, and never wraps one past 2^32', () => {
    const proc = new Process();
    const heap = proc.sbrk(64);
    expect(() => proc.load8(heap + 0.5)).toThrow(TypeError);
    expect(() => proc.load32(Number.NaN)).toThrow(TypeError);
    expect(faultOf(() => proc.load32(2 ** 32 + heap)).reason).toBe('unmapped');
    expect(faultOf(() => proc.store8(-16, 0)).reason).toBe('unmapped');
  });
});

describe('loads and stores', () => {
  it('are little-endian and round-trip every width', () => {
    const proc = new Process();
    const p = proc.sbrk(64);
    proc.store32(p, 0x11223344);
    expect([...proc.bytes(p, 4)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    proc.store8(p + 8, 0xab);
    proc.store16(p + 10, 0xbeef);
    proc.store64(p + 16, 2 ** 53 - 1);
    proc.store64(p + 24, -2);
    expect(proc.load8(p + 8)).toBe(0xab);
    expect(proc.load16(p + 10)).toBe(0xbeef);
    expect(proc.load64(p + 16)).toBe(2 ** 53 - 1);
    expect(proc.load64(p + 24)).toBe(-2);
  });

  it('handle unaligned accesses, including ones that cross a page boundary', () => {
    const proc = new Process();
    const p = proc.sbrk(2 * PAGE_SIZE);
    for (const at of [p + 3, p + PAGE_SIZE - 3, p + PAGE_SIZE - 1]) {
      proc.store64(at, 0x123456789abc);
      expect(proc.load64(at)).toBe(0x123456789abc);
      proc.store32(at, 0xcafef00d);
      expect(proc.load32(at)).toBe(0xcafef00d);
      proc.store16(at, 0x1234);
      expect(proc.load16(at)).toBe(0x1234);
    }
  });

  it('refuse a value that does not fit the width, instead of cutting it', () => {
    const proc = new Process();
    const p = proc.sbrk(16);
    expect(() => proc.store8(p, 300)).toThrow(/does not fit in 8 bits/);
    expect(() => proc.store32(p, 2 ** 32 + 5)).toThrow(/does not fit in 32 bits/);
    expect(() => proc.store16(p, 1.5)).toThrow(RangeError);
    proc.store8(p, -1); // a signed value that fits is stored in two's complement
    proc.store32(p + 4, -2);
    expect([proc.load8(p), proc.load32(p + 4)]).toEqual([0xff, 0xfffffffe]);
  });

  it('refuse a 64-bit store of a value that is not a safe integer', () => {
    const proc = new Process();
    const p = proc.sbrk(16);
    expect(() => proc.store64(p, 2 ** 53)).toThrow(/not a safe integer/);
    expect(() => proc.store64(p, 1.5)).toThrow(RangeError);
    expect(proc.load64(p)).toBe(0); // nothing was written
  });

  it('refuse a 64-bit load of bytes that are not a safe integer, showing them', () => {
    const proc = new Process();
    const p = proc.sbrk(16);
    proc.memset(p, 0xaa, 8);
    expect(() => proc.load64(p)).toThrow(/aa aa aa aa aa aa aa aa/);
  });

  it('read zeros from fresh memory', () => {
    const proc = new Process();
    const p = proc.sbrk(3 * PAGE_SIZE);
    const m = proc.mmap(PAGE_SIZE);
    expect(proc.bytes(p, 3 * PAGE_SIZE).every((b) => b === 0)).toBe(true);
    expect(proc.load64(m + 800)).toBe(0);
  });
});

describe('options', () => {
  it('checks the limits it is given', () => {
    expect(() => new Process({ physicalLimit: 2 ** 31 })).toThrow(/at most/);
    expect(() => new Process({ mmapLimit: -1 })).toThrow(TypeError);
    expect(() => new Process({ heapLimit: 1.5 })).toThrow(TypeError);
    const proc = new Process({ physicalLimit: 5001 }); // rounded up to two pages
    const m = proc.mmap(2 * PAGE_SIZE);
    proc.store8(m, 1);
    proc.store8(m + PAGE_SIZE, 1);
    expect(() => proc.store8(proc.mmap(PAGE_SIZE), 1)).toThrow(/out of physical memory/);
  });
});

describe('brk and sbrk', () => {
  it('sbrk(0) returns the break without moving it', () => {
    const proc = new Process();
    expect(proc.sbrk(0)).toBe(LAYOUT.heapStart);
    expect(proc.sbrk(0)).toBe(LAYOUT.heapStart);
    expect(proc.stats().heapBytes).toBe(0);
    expect(proc.stats().syscalls.sbrk).toBe(2);
  });

  it('sbrk(n) returns the old break and moves it up by n', () => {
    const proc = new Process();
    expect(proc.sbrk(100)).toBe(LAYOUT.heapStart);
    expect(proc.sbrk(28)).toBe(LAYOUT.heapStart + 100);
    expect(proc.currentBreak).toBe(LAYOUT.heapStart + 128);
    expect(proc.maps()).toMatch(/01000000-01001000 rw-p .*\[heap\]/);
  });

  it('fails with ENOMEM past the heap limit, leaving the break where it was', () => {
    const proc = new Process({ heapLimit: 8 * PAGE_SIZE });
    expect(proc.sbrk(8 * PAGE_SIZE)).toBe(LAYOUT.heapStart);
    expect(proc.sbrk(1)).toBe(-1);
    expect(proc.errno).toBe(ENOMEM);
    expect(proc.currentBreak).toBe(LAYOUT.heapStart + 8 * PAGE_SIZE);
  });

  it('fails with ENOMEM, not a TypeError, for an increment too large to be exact', () => {
    const proc = new Process();
    expect(proc.sbrk(2 ** 60)).toBe(-1);
    expect(proc.errno).toBe(ENOMEM);
    expect(proc.mmap(2 ** 60)).toBe(MAP_FAILED);
    expect(proc.errno).toBe(ENOMEM);
    expect(() => proc.sbrk(1.5)).toThrow(TypeError);
  });

  it('refuses a negative increment that would go below the heap start', () => {
    const proc = new Process();
    proc.sbrk(64);
    expect(proc.sbrk(-65)).toBe(-1);
    expect(proc.errno).toBe(ENOMEM);
    expect(proc.sbrk(-64)).toBe(LAYOUT.heapStart + 64);
    expect(proc.stats().heapBytes).toBe(0);
  });

  it('gives whole pages back when the break shrinks, and they come back zeroed', () => {
    const proc = new Process();
    const p = proc.sbrk(4 * PAGE_SIZE);
    proc.memset(p, 0x5a, 4 * PAGE_SIZE);
    expect(proc.stats().residentBytes).toBe(4 * PAGE_SIZE);
    proc.sbrk(-3 * PAGE_SIZE);
    expect(proc.stats().residentBytes).toBe(PAGE_SIZE);
    expect(faultOf(() => proc.load8(p + PAGE_SIZE)).reason).toBe('unmapped');
    proc.sbrk(3 * PAGE_SIZE);
    expect(proc.load8(p + PAGE_SIZE)).toBe(0);
    expect(proc.load8(p + PAGE_SIZE - 1)).toBe(0x5a);
  });

  it('brk(addr) sets the break and returns 0, or -1 with ENOMEM', () => {
    const proc = new Process({ heapLimit: PAGE_SIZE });
    expect(proc.brk(LAYOUT.heapStart + 10)).toBe(0);
    expect(proc.currentBreak).toBe(LAYOUT.heapStart + 10);
    expect(proc.brk(LAYOUT.heapStart + PAGE_SIZE + 1)).toBe(-1);
    expect(proc.errno).toBe(ENOMEM);
  });
});

describe('mmap, munmap and mprotect', () => {
  it('mmap returns page-aligned, zeroed memory, placed top-down below the mmap base', () => {
    const proc = new Process();
    const a = proc.mmap(100);
    const b = proc.mmap(3 * PAGE_SIZE);
    expect(a % PAGE_SIZE).toBe(0);
    expect(a).toBe(LAYOUT.mmapBase - PAGE_SIZE);
    expect(b).toBe(a - 3 * PAGE_SIZE);
    expect(proc.stats().mappedBytes).toBe(4 * PAGE_SIZE);
  });

  it('mmap of 0 bytes fails with EINVAL; past the limit with ENOMEM', () => {
    const proc = new Process({ mmapLimit: 2 * PAGE_SIZE });
    expect(proc.mmap(0)).toBe(MAP_FAILED);
    expect(proc.errno).toBe(EINVAL);
    expect(proc.mmap(2 * PAGE_SIZE)).not.toBe(MAP_FAILED);
    expect(proc.mmap(1)).toBe(MAP_FAILED);
    expect(proc.errno).toBe(ENOMEM);
  });

  it('munmap of part of a mapping splits it; the rest stays usable', () => {
    const proc = new Process();
    const m = proc.mmap(3 * PAGE_SIZE);
    proc.store8(m, 1);
    proc.store8(m + 2 * PAGE_SIZE, 3);
    expect(proc.munmap(m + PAGE_SIZE, PAGE_SIZE)).toBe(0);
    expect(proc.load8(m)).toBe(1);
    expect(proc.load8(m + 2 * PAGE_SIZE)).toBe(3);
    expect(faultOf(() => proc.load8(m + PAGE_SIZE)).reason).toBe('unmapped');
    expect(proc.stats().mappedBytes).toBe(2 * PAGE_SIZE);
    expect(proc.mappingList().filter((x) => x.start >= m && x.end <= m + 3 * PAGE_SIZE)).toHaveLength(2);
  });

  it('munmap refuses an unaligned address and the heap', () => {
    const proc = new Process();
    const m = proc.mmap(PAGE_SIZE);
    expect(proc.munmap(m + 8, 8)).toBe(-1);
    expect(proc.errno).toBe(EINVAL);
    proc.sbrk(PAGE_SIZE);
    expect(proc.munmap(LAYOUT.heapStart, PAGE_SIZE)).toBe(-1);
  });

  it('a PROT_NONE page faults on any access and keeps its bytes for later', () => {
    const proc = new Process();
    const m = proc.mmap(2 * PAGE_SIZE);
    proc.store32(m + PAGE_SIZE, 0xfeedface);
    expect(proc.mprotect(m + PAGE_SIZE, PAGE_SIZE, PROT_NONE)).toBe(0);
    const fault = faultOf(() => proc.load32(m + PAGE_SIZE));
    expect(fault.reason).toBe('protected');
    expect(fault.message).toContain('does not allow reading');
    proc.store8(m, 1); // the first page is untouched by mprotect
    proc.mprotect(m + PAGE_SIZE, PAGE_SIZE, PROT_READ);
    expect(proc.load32(m + PAGE_SIZE)).toBe(0xfeedface);
    expect(faultOf(() => proc.store8(m + PAGE_SIZE, 0)).message).toContain('does not allow writing');
    proc.mprotect(m + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE);
    proc.store8(m + PAGE_SIZE, 7);
    expect(proc.load8(m + PAGE_SIZE)).toBe(7);
  });

  it('mprotect fails with ENOMEM when part of the range is not mapped', () => {
    const proc = new Process();
    const m = proc.mmap(PAGE_SIZE);
    expect(proc.mprotect(m, 2 * PAGE_SIZE, PROT_NONE)).toBe(-1);
    expect(proc.errno).toBe(ENOMEM);
  });
});

describe('madvise', () => {
  it('MADV_DONTNEED drops pages: still mapped, no longer resident, zeros when read again', () => {
    const proc = new Process();
    const m = proc.mmap(4 * PAGE_SIZE);
    for (let page = 0; page < 4; page++) proc.store32(m + page * PAGE_SIZE, 0xc0ffee00 + page);
    expect(proc.stats().mappedResidentBytes).toBe(4 * PAGE_SIZE);
    expect(proc.madvise(m + PAGE_SIZE, 2 * PAGE_SIZE, MADV_DONTNEED)).toBe(0);
    const after = proc.stats();
    expect(after.mappedResidentBytes, 'pages 1 and 2 gave back their frames').toBe(2 * PAGE_SIZE);
    expect(after.mappedBytes, 'the mapping is whole').toBe(4 * PAGE_SIZE);
    expect(after.syscalls.madvise).toBe(1);
    expect([0, 1, 2, 3].map((page) => proc.load32(m + page * PAGE_SIZE).toString(16))).toEqual(['c0ffee00', '0', '0', 'c0ffee03']);
    proc.store32(m + PAGE_SIZE, 5);
    expect(proc.load32(m + PAGE_SIZE), 'a dropped page takes a fresh frame when written').toBe(5);
    expect(proc.stats().mappedResidentBytes).toBe(3 * PAGE_SIZE);
  });

  it('fails with ENOMEM over an unmapped page, and EINVAL for another advice, the heap or an unaligned address', () => {
    const proc = new Process();
    const m = proc.mmap(PAGE_SIZE);
    proc.store8(m, 1);
    expect(proc.madvise(m, 2 * PAGE_SIZE, MADV_DONTNEED)).toBe(-1);
    expect(proc.errno).toBe(ENOMEM);
    expect(proc.madvise(m, PAGE_SIZE, 8)).toBe(-1);
    expect(proc.errno).toBe(EINVAL);
    expect(proc.madvise(m + 16, PAGE_SIZE, MADV_DONTNEED)).toBe(-1);
    expect(proc.errno).toBe(EINVAL);
    proc.sbrk(PAGE_SIZE);
    expect(proc.madvise(LAYOUT.heapStart, PAGE_SIZE, MADV_DONTNEED)).toBe(-1);
    expect(proc.errno).toBe(EINVAL);
    expect(proc.load8(m), 'nothing was dropped by the calls that failed').toBe(1);
  });
});

describe('virtual and resident memory', () => {
  it('a mapping is virtual at once and resident page by page as it is written', () => {
    const proc = new Process();
    const before = proc.stats();
    const m = proc.mmap(16 * PAGE_SIZE);
    expect(proc.stats().virtualBytes - before.virtualBytes).toBe(16 * PAGE_SIZE);
    expect(proc.stats().residentBytes).toBe(0);
    proc.store8(m, 1);
    proc.store8(m + 5 * PAGE_SIZE + 17, 1);
    proc.store8(m + 5 * PAGE_SIZE + 18, 1);
    const after = proc.stats();
    expect(after.residentBytes).toBe(2 * PAGE_SIZE);
    expect(after.minorFaults - before.minorFaults).toBe(2);
  });

  it('reading an untouched page faults once but uses no memory (the zero page)', () => {
    const proc = new Process();
    const m = proc.mmap(PAGE_SIZE);
    proc.load8(m);
    proc.load8(m + 1);
    expect(proc.stats().minorFaults).toBe(1);
    expect(proc.stats().residentBytes).toBe(0);
    proc.store8(m, 1);
    expect(proc.stats().residentBytes).toBe(PAGE_SIZE);
  });

  it('counts the resident pages of mappings apart from the heap', () => {
    const proc = new Process();
    proc.sbrk(2 * PAGE_SIZE);
    proc.memset(proc.heapStart, 1, 2 * PAGE_SIZE);
    const m = proc.mmap(8 * PAGE_SIZE);
    proc.store8(m + 3 * PAGE_SIZE, 1);
    proc.store8(m + 7 * PAGE_SIZE, 1);
    expect(proc.stats().residentBytes).toBe(4 * PAGE_SIZE);
    expect(proc.stats().mappedResidentBytes).toBe(2 * PAGE_SIZE);
    proc.munmap(m + 7 * PAGE_SIZE, PAGE_SIZE);
    expect(proc.stats().mappedResidentBytes).toBe(PAGE_SIZE);
    proc.sbrk(-2 * PAGE_SIZE);
    expect(proc.stats().mappedResidentBytes).toBe(PAGE_SIZE);
  });

  it('mincore tells which pages are resident, touching none and counting no access', () => {
    const proc = new Process();
    const m = proc.mmap(4 * PAGE_SIZE);
    proc.store8(m + PAGE_SIZE, 1);
    proc.load8(m + 2 * PAGE_SIZE); // a read maps the zero page: not resident
    const before = proc.stats();
    expect(proc.mincore(m, 4 * PAGE_SIZE), 'pages 0 to 3: only page 1 was written').toEqual([false, true, false, false]);
    expect(proc.mincore(m, 1), 'a length that is not whole pages covers the page it reaches into').toEqual([false]);
    expect([proc.stats().memoryOps, proc.stats().minorFaults], 'mincore counts no access and faults nothing in').toEqual([before.memoryOps, before.minorFaults]);
    proc.munmap(m + PAGE_SIZE, PAGE_SIZE);
    expect(proc.mincore(m, 2 * PAGE_SIZE), 'an unmapped page is not resident').toEqual([false, false]);
    expect(() => proc.mincore(m + 8, PAGE_SIZE), 'mincore takes a page-aligned address, as in Linux').toThrow(/page-aligned/);
  });

  it('peekBytes reads a range across pages as peek8 would, touching none and counting no access', () => {
    const proc = new Process();
    const m = proc.mmap(3 * PAGE_SIZE);
    proc.store8(m + PAGE_SIZE - 1, 0x11);
    proc.store8(m + 2 * PAGE_SIZE, 0x22);
    const before = proc.stats();
    const bytes = proc.peekBytes(m + PAGE_SIZE - 2, PAGE_SIZE + 3);
    expect(bytes && [...bytes.subarray(0, 3)], 'the end of page 0, then untouched page 1 as zeros').toEqual([0, 0x11, 0]);
    expect(bytes && [...bytes.subarray(-2)], 'the start of page 2').toEqual([0, 0x22]);
    expect(bytes && Array.from(bytes, (_, i) => proc.peek8(m + PAGE_SIZE - 2 + i)), 'each byte as peek8 reads it').toEqual(bytes && [...bytes]);
    expect([proc.stats().memoryOps, proc.stats().minorFaults], 'no access counted, nothing faulted in').toEqual([before.memoryOps, before.minorFaults]);
    expect(proc.peekBytes(m, 0), 'nothing to read').toEqual(new Uint8Array(0));
    proc.mprotect(m + 2 * PAGE_SIZE, PAGE_SIZE, PROT_NONE);
    expect(proc.peekBytes(m + PAGE_SIZE, PAGE_SIZE + 1), 'a PROT_NONE page in the range').toBeUndefined();
    expect(proc.peekBytes(m + 3 * PAGE_SIZE, 1), 'an unmapped byte').toBeUndefined();
    expect(proc.peekBytes(2 ** 31, 8), "the kernel's half").toBeUndefined();
  });

  it('munmap gives resident pages back', () => {
    const proc = new Process();
    const m = proc.mmap(4 * PAGE_SIZE);
    proc.memset(m, 1, 4 * PAGE_SIZE);
    proc.munmap(m, 4 * PAGE_SIZE);
    expect(proc.stats().residentBytes).toBe(0);
    expect(proc.stats().mappedBytes).toBe(0);
  });

  it('stats() counts memory operations and bytes moved', () => {
    const proc = new Process();
    const p = proc.sbrk(64);
    proc.store64(p, 1);
    proc.load64(p);
    proc.memset(p, 0, 32);
    const stats = proc.stats();
    expect(stats.memoryOps).toBe(3);
    expect(stats.bytesMoved).toBe(32);
  });
});

describe('bulk memory', () => {
  it('memcpy copies across pages and refuses overlapping ranges', () => {
    const proc = new Process();
    const p = proc.sbrk(4 * PAGE_SIZE);
    for (let i = 0; i < 6000; i++) proc.store8(p + 10 + i, i & 0xff);
    proc.memcpy(p + 2 * PAGE_SIZE, p + 10, 6000);
    expect(proc.memcmp(p + 2 * PAGE_SIZE, p + 10, 6000)).toBe(0);
    expect(() => proc.memcpy(p + 20, p + 10, 100)).toThrow(/overlap.*memmove/);
  });

  it('memmove is correct for overlapping ranges in both directions', () => {
    const proc = new Process();
    const p = proc.sbrk(3 * PAGE_SIZE);
    const fill = () => {
      for (let i = 0; i < 3 * PAGE_SIZE; i++) proc.store8(p + i, (i * 7) & 0xff);
    };
    fill();
    proc.memmove(p + 100, p, 5000); // forward overlap: copy from the end
    for (let i = 0; i < 5000; i += 97) expect(proc.load8(p + 100 + i)).toBe((i * 7) & 0xff);
    fill();
    proc.memmove(p, p + 100, 5000);
    for (let i = 0; i < 5000; i += 97) expect(proc.load8(p + i)).toBe(((i + 100) * 7) & 0xff);
  });

  it('memcmp orders by the first differing byte', () => {
    const proc = new Process();
    const p = proc.sbrk(32);
    proc.store8(p + 3, 5);
    proc.store8(p + 16 + 3, 9);
    expect(proc.memcmp(p, p + 16, 16)).toBeLessThan(0);
    expect(proc.memcmp(p + 16, p, 16)).toBeGreaterThan(0);
    expect(proc.memcmp(p, p + 16, 3)).toBe(0);
  });

  it('a memset that runs off the end faults where the mapping ends', () => {
    const proc = new Process();
    const p = proc.sbrk(PAGE_SIZE);
    const fault = faultOf(() => proc.memset(p + 100, 0, PAGE_SIZE));
    expect(fault.address).toBe(p + PAGE_SIZE);
    expect(fault.width).toBe(PAGE_SIZE);
  });
});

describe('the data segment', () => {
  it('proc.static gives a zeroed, aligned slot, and the same address for the same name', () => {
    const proc = new Process();
    const a = proc.static('global_base', 8);
    const b = proc.static('counter', 4);
    expect(a % 16).toBe(0);
    expect(b % 16).toBe(0);
    expect(b).not.toBe(a);
    expect(proc.load64(a)).toBe(0);
    proc.store64(a, 0x1234);
    expect(proc.static('global_base', 8)).toBe(a);
    expect(proc.load64(proc.static('global_base', 8))).toBe(0x1234);
    expect(() => proc.static('global_base', 16)).toThrow(/already exists with 8 bytes/);
  });
});

describe('maps()', () => {
  it('prints /proc/self/maps lines: range, permissions, offset, device, inode, name', () => {
    const proc = new Process();
    proc.sbrk(PAGE_SIZE + 1);
    const m = proc.mmap(PAGE_SIZE, PROT_READ, { name: 'tiny region' });
    const lines = proc.maps().split('\n');
    expect(lines[0]).toMatch(/^00400000-00401000 r-xp 00000000 00:00 0 +\/workbook\/program$/);
    expect(lines.filter((l) => /^01000000-01002000 rw-p 00000000 00:00 0 +\[heap\]$/.test(l))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith(m.toString(16).padStart(8, '0')) && l.includes('r--p') && l.endsWith('[anon:tiny region]'))).toBe(true);
    expect(lines.at(-1)).toMatch(/\[stack\]$/);
  });
});

describe('what reports on the process', () => {
  it('cannot be replaced on a process: an allocator handed proc cannot fake its accounting', () => {
    const proc = new Process();
    proc.sbrk(PAGE_SIZE);
    const fake = () => ({ heapBytes: 0 });
    expect(() => Object.assign(proc, { stats: fake })).toThrow(TypeError);
    expect(() => Object.defineProperty(proc, 'mincore', { value: () => [] })).toThrow(TypeError);
    expect(proc.stats().heapBytes).toBe(PAGE_SIZE);
    expect(proc.mincore(0x01000000, PAGE_SIZE)).toEqual([false]);
  });

  it('its other methods cannot be assigned over (a test reads memory back through them), yet a spy can still take one', () => {
    const proc = new Process();
    const word = proc.static('word', 4);
    proc.store32(word, 7);
    expect(() => Object.assign(proc, { load32: () => 42 }), 'proc.load32 = …').toThrow(TypeError);
    expect(proc.load32(word)).toBe(7);
    const spy = vi.spyOn(proc, 'load32').mockReturnValue(42);
    expect(proc.load32(word), 'a test spies on load32').toBe(42);
    spy.mockRestore();
    expect(proc.load32(word)).toBe(7);
  });
});

describe('threads', () => {
  it('runOn runs a function as another logical thread, then switches back', () => {
    const proc = new Process();
    expect(proc.currentThread).toBe(0);
    const seen = proc.runOn(3, () => proc.runOn(1, () => proc.currentThread) * 10 + proc.currentThread);
    expect(seen).toBe(13);
    expect(proc.currentThread).toBe(0);
    expect(() => proc.runOn(2, () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(proc.currentThread).toBe(0);
  });
});

describe('the loop guard', () => {
  it('stops a process at its limit of loads and stores with a RunawayLoop whose stack names the looping line', () => {
    const saved = Process.loopGuard;
    try {
      Process.loopGuard = 1000;
      const proc = new Process();
      const word = proc.static('word', 8);
      let made = 0;
      let caught: unknown;
      try {
        for (;;) {
          proc.load32(word); // each kind of operation counts, and is stopped
          proc.store64(word, made);
          proc.memset(word, 0, 4);
          made += 3;
        }
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RunawayLoop);
      expect(made).toBe(999);
      expect((caught as Error).message).toMatch(/^Endless loop\? This process has made 1,000 loads and stores/);
      expect((caught as Error).stack).toContain('process.test.ts');
      expect(proc.stats().memoryOps).toBe(1000);
    } finally {
      Process.loopGuard = saved;
    }
  });

  it('leaves a process made without it to the plain methods, and one made before it is set unguarded', () => {
    const saved = Process.loopGuard;
    try {
      Process.loopGuard = undefined;
      const plain = new Process();
      expect(plain.load32, 'no wrapper: the prototype methods, as fast as ever').toBe(Process.prototype.load32);
      Process.loopGuard = 10;
      const word = plain.static('word', 4);
      for (let i = 0; i < 100; i++) plain.load32(word);
      expect(plain.stats().memoryOps).toBe(100);
    } finally {
      Process.loopGuard = saved;
    }
  });
});
