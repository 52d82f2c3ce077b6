// Tiny free lists: one per size in quanta, a bitmap of the non-empty ones, and death row.
import { Process, hex } from '../../machine/index.ts';
import { LINK, RACK } from '../../solutions/05-zones/rack.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

const proc = new Process();
const zone = createZone(proc);
const { base, layout } = zone.tiny;

/** Calls `call` and returns its result with the loads and stores it made. */
function counted<T>(call: () => T): [T, number] {
  const before = proc.stats().memoryOps;
  const result = call();
  return [result, proc.stats().memoryOps - before];
}

function show(title: string): void {
  console.log(title);
  const words = Array.from({ length: layout.listWords }, (_, w) => hex(proc.load32(base + RACK.nonEmpty + w * 4)));
  console.log(`  bitmap of non-empty lists: ${words.join(' ')}`);
  for (let index = 0; index < layout.lists; index++) {
    const blocks: string[] = [];
    for (let block = proc.load32(base + layout.freeLists + index * 4); block !== 0; block = proc.load32(block + LINK.next)) blocks.push(hex(block));
    if (blocks.length > 0) console.log(`  list ${index} (${index + 1} ${index === 0 ? 'quantum' : 'quanta'}): ${blocks.join(', ')}`);
  }
  const condemned = proc.load32(base + RACK.lastFree);
  console.log(`  death row: ${condemned === 0 ? 'empty' : `${hex(condemned)} (${proc.load32(base + RACK.lastFreeMsize)} quanta)`}\n`);
}

// Three blocks of 5, 7 and 10 quanta, each followed by a block that stays, so none can merge.
const held = [80, 112, 160].map((size) => [zone.malloc(size), zone.malloc(96)]);
console.log(`malloc(80), malloc(112), malloc(160) at ${held.map(([p]) => hex(p)).join(', ')},`);
console.log('each followed by a malloc(96) that stays\n');
for (const [p] of held) zone.free(p);
show('after freeing the three, in that order');

const [p, cost] = counted(() => zone.malloc(90));
show(`malloc(90) = ${hex(p)}: 6 quanta, in ${cost} loads and stores`);

zone.free(p);
const [again, pardon] = counted(() => zone.malloc(90));
console.log(`free(${hex(p)}), then malloc(90) = ${hex(again)}: back from death row, ${pardon} loads and stores`);
const [fresh, carved] = counted(() => zone.malloc(400));
console.log(`malloc(400) = ${hex(fresh)}: 25 quanta, carved from the tail, ${carved} loads and stores`);
