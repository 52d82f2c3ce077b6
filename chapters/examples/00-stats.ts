// Virtual memory is cheap; resident memory is paid for page by page, on first write.
import { Process, PAGE_SIZE, formatBytes } from '../../machine/index.ts';

const proc = new Process();
const row = (what: string) => {
  const { virtualBytes, residentBytes, minorFaults } = proc.stats();
  console.log(what.padEnd(24) + formatBytes(virtualBytes).padEnd(10) + formatBytes(residentBytes).padEnd(10) + minorFaults);
};

console.log('after'.padEnd(24) + 'virtual'.padEnd(10) + 'resident'.padEnd(10) + 'minor faults');
row('a fresh process');
const region = proc.mmap(4 * PAGE_SIZE);
row('mmap of 4 pages');
for (let page = 0; page < 4; page++) proc.load8(region + page * PAGE_SIZE);
row('reading each page');
for (let page = 0; page < 4; page++) proc.store8(region + page * PAGE_SIZE, 1);
row('writing each page');
proc.munmap(region, 4 * PAGE_SIZE);
row('munmap');
