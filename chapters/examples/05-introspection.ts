// The zone's introspection, after malloc_zone_t: statistics per scale, and enumerate's three
// kinds of ranges.
import { Process, hex } from '../../machine/index.ts';
import { MALLOC_ADMIN_REGION_RANGE_TYPE, MALLOC_PTR_IN_USE_RANGE_TYPE, MALLOC_PTR_REGION_RANGE_TYPE, type Range } from '../../solutions/05-zones/enumerate.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

const proc = new Process();
const zone = createZone(proc);
const calls = [20, 48, 100, 5000, 2000, 100_000];
const ptrs = calls.map((size) => zone.malloc(size));
zone.free(ptrs[1]); // on death row: no longer in use
zone.free(zone.malloc(40_000)); // a large block that came and went
console.log(`${calls.map((n) => `malloc(${n})`).join(', ')};`);
console.log('free(the 48-byte block); malloc(40000), then free it\n');

console.log(`${'statistics'.padEnd(12)}${'blocksInUse'.padStart(12)}${'sizeInUse'.padStart(11)}${'maxSizeInUse'.padStart(14)}${'sizeAllocated'.padStart(15)}`);
for (const scale of ['tiny', 'small', 'large', undefined] as const) {
  const s = zone.statistics(scale);
  console.log(`${(scale ?? 'the zone').padEnd(12)}${String(s.blocksInUse).padStart(12)}${String(s.sizeInUse).padStart(11)}${String(s.maxSizeInUse).padStart(14)}${String(s.sizeAllocated).padStart(15)}`);
}

const names: Record<number, string> = {
  [MALLOC_PTR_IN_USE_RANGE_TYPE]: 'in use (1)',
  [MALLOC_PTR_REGION_RANGE_TYPE]: 'region (2)',
  [MALLOC_ADMIN_REGION_RANGE_TYPE]: 'admin (4)',
};
const show = (ranges: Range[]) => ranges.map((r) => `${hex(r.address)} ${r.size}`).join(', ');
for (const mask of [MALLOC_PTR_IN_USE_RANGE_TYPE, MALLOC_PTR_REGION_RANGE_TYPE | MALLOC_ADMIN_REGION_RANGE_TYPE]) {
  console.log(`\nenumerate(recorder, ${mask}): the recorder is called with`);
  zone.enumerate((type, ranges) => console.log(`  ${names[type].padEnd(11)} ${show(ranges)}`), mask);
}
