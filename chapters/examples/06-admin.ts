// Where the magazines keep their state: one admin mapping with the region maps, a lock, an inbox and a
// rack per magazine, found through a global in the data segment. Six threads each malloc(40);
// the region header's owner field says which magazine each block's region belongs to.
import { Process, hex } from '../../machine/index.ts';
import { REGION } from '../../solutions/05-zones/region.ts';
import { DEPOT, MAGAZINES_GLOBAL, createMagazines } from '../../solutions/06-magazines/magazines.ts';

const proc = new Process();
const magazines = createMagazines(proc, { magazines: 4 });
const admin = proc.load32(proc.static('magazines', 8) + MAGAZINES_GLOBAL.admin);
const mapping = proc.maps().split('\n').find((line) => line.includes('malloc magazines'))!;
console.log(`createMagazines(proc, { magazines: 4 }) maps its admin area:\n${mapping}\n`);

console.log('what                                   address      bytes');
const rows: [string, number, number][] = [];
for (const set of [magazines.tiny, magazines.small]) {
  const first = set.locks[DEPOT];
  rows.push([`${set.kind.name} region map`, set.racks[DEPOT].regionMap, first - set.racks[DEPOT].regionMap]);
  set.locks.forEach((lock, m) => {
    const next = set.locks[m + 1] ?? lock + (set.locks[1] - set.locks[0]);
    rows.push([`${set.kind.name} ${m === DEPOT ? 'depot' : `magazine ${m}`}: lock, inbox, rack`, lock, next - lock]);
  });
}
const large = magazines.locks().find((l) => l.name === 'large')!;
rows.push(['large: lock', large.address, 16]);
for (const [what, address, bytes] of rows) console.log(`${what.padEnd(38)} ${hex(address)}  ${String(bytes).padStart(5)}`);
console.log(`(the global 'magazines' in the data segment holds ${hex(admin)} and the count, 4)\n`);

const blocks: number[] = [];
for (let thread = 0; thread < 6; thread++) {
  const ptr = proc.runOn(thread, () => magazines.malloc(40));
  blocks.push(ptr);
  const region = magazines.tiny.racks[DEPOT].regionOf(ptr);
  console.log(`thread ${thread}: magazine ${magazines.magazineOf(thread)}, malloc(40) = ${hex(ptr)} in the tiny region ${hex(region)}, owner ${proc.load32(region + REGION.owner)}`);
}

const region = magazines.tiny.racks[DEPOT].regionOf(blocks[1]);
console.log(`\nthe fields of thread 1's region, at its address: magic, next, prev, usedQuanta, tail, owner`);
console.log(proc.hexdump(region, 24, { from: region + REGION.owner, to: region + REGION.owner + 4 }));
const lock = magazines.tiny.locks[1];
console.log(`\ntiny magazine 1's lock: state 0 (free), acquisitions 2 (threads 0 and 4), waits 0, holder 0`);
console.log(proc.hexdump(lock, 16, { from: lock, to: lock + 16 }));
