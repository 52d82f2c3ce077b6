// Three free blocks, A (256 bytes), B (64) and C (128), and where each policy puts the same requests.
import { Process } from '../../machine/index.ts';
import { FreeLinks, GLOBALS, HEADER_SIZE, createAllocator, type FitPolicy } from '../../solutions/03-coalescing/coalescing.ts';
import { formatSizes } from './03-heap.ts';

const requests = [40, 40, 40];
for (const fit of ['first', 'next', 'best'] as FitPolicy[]) {
  const proc = new Process();
  const heap = createAllocator(proc, { fit });
  const holes = [240, 48, 112].map((size) => {
    const p = heap.malloc(size);
    heap.malloc(16); // a live block between the holes
    return p;
  });
  holes.forEach((p) => heap.free(p));
  const names = ['A', 'B', 'C'];
  if (fit === 'first') {
    const list: string[] = [];
    for (let block = proc.load64(proc.static(GLOBALS.freeList, 8)); block !== 0; block = FreeLinks.read(proc, block + HEADER_SIZE, 'next')) {
      list.push(names[holes.indexOf(block + HEADER_SIZE)]);
    }
    console.log(`the heap: ${formatSizes(proc)}\nthe free list, from its head: ${list.join(', ')}\n`);
  }
  const placed = requests.map((size) => {
    const p = heap.malloc(size);
    const hole = holes.findLastIndex((h) => h <= p);
    return `malloc(${size}) in ${names[hole]}${p === holes[hole] ? '' : `+${p - holes[hole]}`}`;
  });
  console.log(`${`${fit} fit:`.padEnd(12)}${placed.join('   ')}`);
  console.log(`${''.padEnd(12)}${formatSizes(proc)}`);
}
