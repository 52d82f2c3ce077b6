// The growing tables of this chapter (the guarded blocks, the stack log) are arrays in mmap'd
// pages, described by three u32s in the data segment: where the array is, how many entries
// it has room for, and how many it holds. Full, it doubles into a new mapping.

import { MAP_FAILED, PROT_READ, PROT_WRITE, type Process } from '../../machine/index.ts';

/** The addresses of a table's three u32 fields. */
export interface TableFields {
  table: number;
  capacity: number;
  count: number;
}

/** Makes room for one more entry; false if the bigger array cannot be mapped. */
export function reserveEntry(proc: Process, fields: TableFields, entrySize: number, firstCapacity: number, name: string): boolean {
  const capacity = proc.load32(fields.capacity);
  if (proc.load32(fields.count) < capacity) return true;
  const bigger = capacity === 0 ? firstCapacity : capacity * 2;
  const table = proc.mmap(bigger * entrySize, PROT_READ | PROT_WRITE, { name });
  if (table === MAP_FAILED) return false;
  const old = proc.load32(fields.table);
  if (old !== 0) {
    proc.memcpy(table, old, capacity * entrySize);
    proc.munmap(old, capacity * entrySize);
  }
  proc.store32(fields.table, table);
  proc.store32(fields.capacity, bigger);
  return true;
}
