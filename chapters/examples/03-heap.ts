// Not a figure: prints a chapter 3 heap, one line per block, as the heap checker walks it.
import { hex, type Process } from '../../machine/index.ts';
import { checkHeap } from '../../solutions/03-coalescing/check.ts';
import { GLOBALS, HEADER_SIZE, Header, PREV_FREE, USED } from '../../solutions/03-coalescing/coalescing.ts';

/** `USED|PREV_FREE`, `USED`, `PREV_FREE` or `-`. */
export function flagNames(flags: number): string {
  const names = [flags & USED ? 'USED' : '', flags & PREV_FREE ? 'PREV_FREE' : ''].filter(Boolean);
  return names.length === 0 ? '-' : names.join('|');
}

/** Every block from the heap start to the epilogue: header address, size, state and flags. */
export function formatBlocks(proc: Process): string {
  const report = checkHeap(proc);
  if (report.problem !== '') throw new Error(report.problem);
  const lines = ['block at      size  state     flags'];
  for (const { header, size, free } of report.blocks) {
    lines.push(`${hex(header)}  ${String(size).padStart(6)}  ${free ? 'free' : 'used'}      ${flagNames(Header.read(proc, header, 'flags'))}`);
  }
  const epilogue = proc.load64(proc.static(GLOBALS.epilogue, 8));
  lines.push(`${hex(epilogue)}  ${'0'.padStart(6)}  epilogue  ${flagNames(Header.read(proc, epilogue, 'flags'))}`);
  lines.push(`the break is at ${hex(proc.currentBreak)} = epilogue + ${HEADER_SIZE}`);
  return lines.join('\n');
}

/** One line: `128 used | 896 free | 48 used`. */
export function formatSizes(proc: Process): string {
  const report = checkHeap(proc);
  if (report.problem !== '') throw new Error(report.problem);
  return report.blocks.map((b) => `${b.size} ${b.free ? 'free' : 'used'}`).join(' | ');
}
