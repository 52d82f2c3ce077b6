// Regions moving through the depot. Thread 0 fills three tiny regions and frees most of its
// blocks; thread 1 then allocates, from a region the depot hands it; thread 2 frees what
// thread 0 kept. After each phase: every rack's regions, how full each is, and the syscalls.
import { Process, hex } from '../../machine/index.ts';
import { RACK } from '../../solutions/05-zones/rack.ts';
import { REGION } from '../../solutions/05-zones/region.ts';
import { COUNTERS } from '../../solutions/05-zones/statistics.ts';
import { DEPOT, createMagazines } from '../../solutions/06-magazines/magazines.ts';

const proc = new Process();
const magazines = createMagazines(proc, { magazines: 4 });
const { racks, kind } = magazines.tiny;
const KiB = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;

function show(title: string): void {
  console.log(title);
  for (let m = 0; m <= magazines.count; m++) {
    const regions: string[] = [];
    for (let region = proc.load32(racks[m].base + RACK.regions); region !== 0; region = proc.load32(region + REGION.next)) {
      regions.push(`${hex(region)} ${Math.round((100 * proc.load32(region + REGION.usedQuanta)) / kind.numQuanta)}%`.padEnd(17));
    }
    const counters = racks[m].base + RACK.counters;
    const used = proc.load32(counters + COUNTERS.sizeInUse);
    const held = proc.load32(counters + COUNTERS.sizeAllocated);
    const name = m === DEPOT ? 'depot' : `magazine ${m}`;
    console.log(`  ${name.padEnd(11)} ${regions.join(' ').padEnd(54)} ${held === 0 ? '' : `${KiB(used)} used of ${KiB(held)}`}`.trimEnd());
  }
  const { mmap, munmap } = proc.stats().syscalls;
  console.log(`  mmap calls so far: ${mmap}, munmap: ${munmap}\n`);
}

const blocks: number[] = [];
proc.runOn(0, () => {
  for (let i = 0; i < 3000; i++) blocks.push(magazines.malloc(1008));
});
show('thread 0 (magazine 1): 3,000 x malloc(1008)');
proc.runOn(0, () => blocks.forEach((ptr, i) => i % 10 !== 0 && magazines.free(ptr)));
show('thread 0 frees nine blocks in ten');
proc.runOn(1, () => {
  for (let i = 0; i < 800; i++) magazines.malloc(1008);
});
show('thread 1 (magazine 2): 800 x malloc(1008)');
proc.runOn(2, () => blocks.forEach((ptr, i) => i % 10 === 0 && magazines.free(ptr)));
show("thread 2 (magazine 3) frees thread 0's last 300 blocks");
const locks = magazines.locks().filter((l) => l.acquisitions > 0);
console.log(locks.map((l) => `${l.name}: ${l.acquisitions.toLocaleString('en-US')} acquisitions`).join(', '));
console.log(`check(): "${magazines.check()}"`);
