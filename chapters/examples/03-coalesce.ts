// The four cases of coalescing: three blocks a, b, c and a guard; b is freed last.
import { Process } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/03-coalescing/coalescing.ts';
import { formatSizes } from './03-heap.ts';

const cases: Array<[string, Array<'a' | 'c'>]> = [
  ['neither neighbour free', []],
  ['the next one free', ['c']],
  ['the previous one free', ['a']],
  ['both free', ['a', 'c']],
];

console.log(`${'case'.padEnd(24)}${'calls'.padEnd(27)}blocks by address, sizes in bytes`);
for (const [name, first] of cases) {
  const proc = new Process();
  const heap = createAllocator(proc);
  const blocks = { a: heap.malloc(100), b: heap.malloc(100), c: heap.malloc(100) };
  heap.malloc(16); // a guard at the top, so nothing is trimmed
  for (const which of first) heap.free(blocks[which]);
  heap.free(blocks.b);
  const calls = [...first, 'b'].map((which) => `free(${which})`).join(', ');
  console.log(`${name.padEnd(24)}${calls.padEnd(27)}${formatSizes(proc)}`);
}
