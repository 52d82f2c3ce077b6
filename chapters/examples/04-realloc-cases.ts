// The cases of realloc, each on a small heap: the blocks by address before and after.
import { Process, hex } from '../../machine/index.ts';
import { checkHeap } from '../../solutions/03-coalescing/check.ts';
import { HEADER_SIZE } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator } from '../../solutions/04-realloc/realloc.ts';

/** The heap's blocks by address, with their sizes (header included); `p` marks ours. */
function blocks(proc: Process, p: number): string {
  const cells = checkHeap(proc).blocks.map((b) => {
    const what = b.header + HEADER_SIZE === p ? 'p' : b.free ? 'free' : 'used';
    return ` ${b.size} ${what} `;
  });
  return `|${cells.join('|')}|  break ${hex(proc.currentBreak)}`;
}

function show(title: string, setUp: (heap: ReturnType<typeof createAllocator>) => number, size: number): void {
  const proc = new Process();
  const heap = createAllocator(proc, { placement: 'low' }); // the heap grows by exactly what malloc lacks: only the blocks asked for
  const p = setUp(heap);
  console.log(`${title}: realloc(p, ${size})`);
  console.log(`  before ${blocks(proc, p)}`);
  const q = heap.realloc(p, size);
  console.log(`  after  ${blocks(proc, q)}`);
  console.log(`  ${q === p ? `p stays at ${hex(p)}` : `p moves from ${hex(p)} to ${hex(q)}`}\n`);
}

show('shrink', (heap) => {
  const p = heap.malloc(1000);
  heap.malloc(16);
  return p;
}, 100);

show('grow into the free block after it', (heap) => {
  const p = heap.malloc(100);
  const q = heap.malloc(500);
  heap.malloc(16);
  heap.free(q);
  return p;
}, 300);

show('grow the last block', (heap) => {
  heap.malloc(16);
  return heap.malloc(100);
}, 5000);

show('grow the last block but one free block', (heap) => {
  const p = heap.malloc(100);
  heap.free(heap.malloc(200));
  return p;
}, 1000);

show('move', (heap) => {
  const p = heap.malloc(100);
  heap.malloc(16);
  return p;
}, 400);
