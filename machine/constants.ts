// Constants of the simulated process, named as in C and Linux.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT; // 4 KiB
export const PAGE_MASK = PAGE_SIZE - 1;

// Protection bits for mmap and mprotect, as in <sys/mman.h>.
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** madvise's advice that drops pages: they stay mapped, and read as zeros when next touched. */
export const MADV_DONTNEED = 4;

/** What mmap returns on failure: `(void *) -1` in C. */
export const MAP_FAILED = -1;

// errno values, as in <errno.h> on Linux.
export const ENOMEM = 12;
export const EINVAL = 22;

export const NULL = 0;

/**
 * The address-space layout: Linux x86-64's, scaled down so that every address fits in a few
 * hex digits. As on x86-64, programs get the lower half of the address space (there, up to
 * 0x7fff_ffff_ffff; here, up to 0x7fff_ffff) and the upper half is the kernel's, never mapped.
 * Below 2^31 every address is also a small integer to V8, which keeps it unboxed: a pointer
 * passed between an allocator's functions makes no garbage.
 */
export const LAYOUT = {
  /** Below this nothing is ever mapped, so NULL and small offsets from it fault (vm.mmap_min_addr). */
  nullGuardEnd: 0x0001_0000, // 64 KiB
  textStart: 0x0040_0000,
  textSize: PAGE_SIZE,
  dataStart: 0x0060_0000,
  dataSize: 16 * PAGE_SIZE, // 64 KiB for the allocator's globals (.data and .bss)
  heapStart: 0x0100_0000, // 16 MiB
  mmapBase: 0x7f00_0000, // mappings are placed top-down from here
  stackEnd: 0x7fff_f000,
  stackSize: 0x21000, // 132 KiB, the size Linux gives a new stack
  /** Where the kernel's half begins: no mapping reaches it. */
  userSpaceEnd: 2 ** 31,
  /** Addresses are below 2^32 (the page tables cover them all, so a kernel address faults). */
  addressSpaceEnd: 2 ** 32,
} as const;

export const PROGRAM_PATH = '/workbook/program';
