// Chapter 7, step 8: a zone as a table of functions. macOS's malloc_zone_t is a struct of
// function pointers (size, malloc, calloc, valloc, free, realloc, …), and malloc() only calls
// through it. Whoever can write the table can put a function of their own in front of the
// allocator: log or check every call of a running program without touching the allocator.
// JavaScript functions cannot live in simulated memory, so the table is an object; the debug
// zone's malloc, free, realloc and calloc always call through it.

// #region zone-functions
export interface ZoneFunctions {
  /** The block's usable size, or 0 if `ptr` is not a block of this zone. */
  size(ptr: number): number;
  malloc(size: number): number;
  calloc(count: number, size: number): number;
  free(ptr: number): void;
  realloc(ptr: number, size: number): number;
}
// #endregion zone-functions

// #region interpose
/**
 * Puts `wrap(original)` in the table in place of entry `name`, as writing a function pointer
 * does, and returns the function that puts the original back.
 */
export function interpose<K extends keyof ZoneFunctions>(
  functions: ZoneFunctions,
  name: K,
  wrap: (original: ZoneFunctions[K]) => ZoneFunctions[K],
): () => void {
  const original = functions[name];
  functions[name] = wrap(original);
  return () => {
    functions[name] = original;
  };
}
// #endregion interpose
