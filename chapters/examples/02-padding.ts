// The padding bug: a header ending in `char data[1]`, a malloc that returns block->data
// (offset 24), and a free that finds the header again at ptr - sizeof(struct) (32).
import { HeapCorruption, Process, cstruct, hex } from '../../machine/index.ts';
import { MAGIC_USED } from '../../solutions/02-free-list/free-list.ts';

const PaddedMeta = cstruct({ size: 'size_t', next: 'ptr', free: 'i32', magic: 'i32', data: 'u8[1]' });
const DATA = PaddedMeta.offsetof('data'); // 24
const proc = new Process();

// malloc as the buggy version writes it: room for the struct and the payload, return block->data.
function brokenMalloc(size: number): number {
  const block = proc.sbrk(PaddedMeta.sizeof + size);
  const header = PaddedMeta.at(proc, block);
  header.size = size;
  header.magic = MAGIC_USED;
  return header.data; // an array field reads as its address, as in C
}

// free as the buggy version writes it: the header is sizeof(struct) below the pointer.
function brokenFree(ptr: number, checkMagic = true): void {
  const block = ptr - PaddedMeta.sizeof;
  if (checkMagic && PaddedMeta.read(proc, block, 'magic') !== MAGIC_USED) {
    throw new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr, `no magic in what it took for the header: ${PaddedMeta.describe(proc, block)}`);
  }
  PaddedMeta.write(proc, block, 'free', 1);
}

console.log(`sizeof(struct block_meta) = ${PaddedMeta.sizeof}, offsetof(data) = ${DATA}\n`);
const first = brokenMalloc(16);
const second = brokenMalloc(16);
console.log(`malloc(16) = ${hex(first)}   header at ${hex(first - DATA)}`);
console.log(`malloc(16) = ${hex(second)}   header at ${hex(second - DATA)}`);
console.log(`free(${hex(second)}) looks for its header at ${hex(second - PaddedMeta.sizeof)}\n`);
console.log(proc.hexdump(second - DATA - 16, 48, { from: second - PaddedMeta.sizeof, to: second - PaddedMeta.sizeof + DATA }));
console.log(`the real header: ${PaddedMeta.describe(proc, second - DATA)}\n`);

try {
  brokenFree(second);
} catch (error) {
  console.log(`${(error as Error).name}: ${(error as Error).message}\n`);
}

brokenFree(second, false);
console.log(`without the magic check, free stores free = 1 at ${hex(second - PaddedMeta.sizeof + PaddedMeta.offsetof('free'))},`);
console.log(`and the real header becomes ${PaddedMeta.describe(proc, second - DATA)}`);
