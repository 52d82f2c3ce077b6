// Chapter 0, warm-up 3: pages, the unit in which the kernel hands out memory.

import { PAGE_SIZE, type Process } from '../../machine/index.ts';

/** How many 4 KiB pages the bytes [addr, addr + length) touch. */
export function pagesSpanned(addr: number, length: number): number {
  if (length === 0) return 0;
  const firstPage = Math.floor(addr / PAGE_SIZE);
  const lastPage = Math.floor((addr + length - 1) / PAGE_SIZE);
  return lastPage - firstPage + 1;
}

/**
 * Makes every page of [addr, addr + length) resident, as a program that pre-faults its
 * memory does: one byte of each page is read and written back unchanged (a read alone
 * would only map the shared zero page). Returns the number of pages touched.
 */
export function touchPages(proc: Process, addr: number, length: number): number {
  if (length === 0) return 0;
  const firstPage = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  let touched = 0;
  for (let page = firstPage; page < addr + length; page += PAGE_SIZE) {
    const at = Math.max(page, addr);
    proc.store8(at, proc.load8(at));
    touched++;
  }
  return touched;
}
