// The address space of a process that has not allocated anything yet.
import { Process } from '../../machine/index.ts';

const proc = new Process();
console.log(proc.maps());
