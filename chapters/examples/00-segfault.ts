// Four accesses near the edges of mappings, and what the simulator says about each.
import { Process } from '../../machine/index.ts';

const proc = new Process();
const heap = proc.sbrk(100); // the break is now heap + 100

function attempt(what: string, access: () => unknown): void {
  try {
    access();
    console.log(`${what}: no fault`);
  } catch (error) {
    console.log(`${what}:\n${(error as Error).message}`);
  }
}

attempt('load64(8)', () => proc.load64(8)); // a field at offset 8 of a NULL pointer
console.log();
attempt('store8(heap + 200)', () => proc.store8(heap + 200, 1)); // past the break, same page
console.log();
attempt('store8(heap + 4096)', () => proc.store8(heap + 4096, 1)); // the next page
console.log();
attempt('store32(0x00400010)', () => proc.store32(0x0040_0010, 0)); // the program's code
