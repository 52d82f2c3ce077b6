// Chapter 5, step 1: size classes. A request is tiny, small or large, and within its scale
// it is rounded up to a whole number of quanta: 16 bytes for tiny, 512 for small, a page for
// large. Each scale's quantum trades rounding waste against the cost of its metadata.

// #region scales
export const TINY_QUANTUM = 16;
export const SMALL_QUANTUM = 512;
export const LARGE_QUANTUM = 4096; // a page: large blocks come straight from mmap

export type Scale = 'tiny' | 'small' | 'large';

/** Where one scale ends and the next begins, in bytes of request. */
export interface SizeClasses {
  /** The largest tiny request: 1008 on today's 64-bit macOS, 496 on 32-bit. */
  tinyLimit: number;
  /** The largest small request; anything bigger is large. 32 KiB on today's macOS. */
  smallLimit: number;
}

/** The thresholds of macOS's allocator, today and in the 32-bit days. */
export const PRESETS = {
  macos: { tinyLimit: 1008, smallLimit: 32 * 1024 },
  /** 32-bit, less than 1 GB of RAM: large from 15 KiB. */
  '32-bit': { tinyLimit: 496, smallLimit: 15 * 1024 - 1 },
  /** 32-bit, 1 GB of RAM or more: large from 127 KiB. */
  '32-bit-1gb': { tinyLimit: 496, smallLimit: 127 * 1024 - 1 },
} as const satisfies Record<string, SizeClasses>;
// #endregion scales

export interface SizeClass {
  scale: Scale;
  /** Quanta the block takes: 16-byte units (tiny), 512-byte units (small), pages (large). */
  msize: number;
}

// #region size-class
/** The scale of a request of `size` bytes. */
export function scaleOf(size: number, classes: SizeClasses = PRESETS.macos): Scale {
  return size <= classes.tinyLimit ? 'tiny' : size <= classes.smallLimit ? 'small' : 'large';
}

/** Quanta of `quantum` bytes that hold `size` bytes; malloc(0) still gets one. */
export function quantaFor(size: number, quantum: number): number {
  return size === 0 ? 1 : Math.ceil(size / quantum);
}

export const QUANTUM: Record<Scale, number> = { tiny: TINY_QUANTUM, small: SMALL_QUANTUM, large: LARGE_QUANTUM };

/** The scale of a request and the quanta its block takes. */
export function sizeClassOf(size: number, classes: SizeClasses = PRESETS.macos): SizeClass {
  const scale = scaleOf(size, classes);
  return { scale, msize: quantaFor(size, QUANTUM[scale]) };
}
// #endregion size-class

const MAX_SMALL_LIMIT = 1024 * 1024;

/** The thresholds an allocator is asked for: a preset, and either limit on its own. */
export interface SizeClassOptions extends Partial<SizeClasses> {
  /** Thresholds of a known allocator (PRESETS); tinyLimit and smallLimit override them. */
  preset?: keyof typeof PRESETS;
}

/** The thresholds `options` ask for, checked: a TypeError names what is wrong. */
export function sizeClassesFrom(options: SizeClassOptions): SizeClasses {
  if (options.preset !== undefined && !Object.hasOwn(PRESETS, options.preset)) {
    throw new TypeError(`createAllocator: preset '${options.preset}' is not one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const preset = PRESETS[options.preset ?? 'macos'];
  return validateSizeClasses({ tinyLimit: options.tinyLimit ?? preset.tinyLimit, smallLimit: options.smallLimit ?? preset.smallLimit });
}

/** Checks options before any memory is touched: thresholds must sit on quantum boundaries. */
export function validateSizeClasses(classes: SizeClasses): SizeClasses {
  const { tinyLimit, smallLimit } = classes;
  if (!Number.isSafeInteger(tinyLimit) || tinyLimit < TINY_QUANTUM || tinyLimit % TINY_QUANTUM !== 0 || tinyLimit > 63 * TINY_QUANTUM) {
    throw new TypeError(`createAllocator: tinyLimit ${tinyLimit} must be a multiple of ${TINY_QUANTUM} between ${TINY_QUANTUM} and ${63 * TINY_QUANTUM}`);
  }
  if (!Number.isSafeInteger(smallLimit) || smallLimit <= tinyLimit || smallLimit > MAX_SMALL_LIMIT) {
    throw new TypeError(`createAllocator: smallLimit ${smallLimit} must be above tinyLimit (${tinyLimit}) and at most ${MAX_SMALL_LIMIT} bytes (1 MiB)`);
  }
  return { tinyLimit, smallLimit };
}
