// Chapter 0, warm-up 3: pages, the unit in which the kernel hands out memory.
// Check your work with `npm run check -- pages`; stuck? `npm run hint -- pages`.

import { PAGE_SIZE, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';

/** How many 4 KiB pages the bytes [addr, addr + length) touch. */
export function pagesSpanned(addr: number, length: number): number {
  // TODO: find the page of the first byte and the page of the last byte (PAGE_SIZE).
  todo('pagesSpanned(addr, length): count the pages the range touches');
}

/**
 * Makes every page of [addr, addr + length) resident, as a program that pre-faults its
 * memory does: one byte of each page is read and written back unchanged (a read alone
 * would only map the shared zero page). Returns the number of pages touched.
 */
export function touchPages(proc: Process, addr: number, length: number): number {
  // TODO: visit one byte in each page of the range and store back what you load.
  todo('touchPages(proc, addr, length): write one byte in every page');
}
