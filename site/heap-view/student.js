// The student's own allocators, bundled from exercises/ by `npm start` on every save, for the
// heap view and the zone view to run beside the reference. The static site has no such script.
import { createAllocator as freeList } from '../../exercises/02-free-list/free-list.ts';
import { createAllocator as coalescing } from '../../exercises/03-coalescing/coalescing.ts';
import { createAllocator as realloc } from '../../exercises/04-realloc/realloc.ts';
import { createAllocator as zones } from '../../exercises/05-zones/zone.ts';

window.WORKBOOK_STUDENT = {
  allocators: {
    'free-list': { file: 'exercises/02-free-list/free-list.ts', create: (proc) => freeList(proc) },
    coalescing: { file: 'exercises/03-coalescing/coalescing.ts', create: (proc) => coalescing(proc) },
    realloc: { file: 'exercises/04-realloc/realloc.ts', create: (proc) => realloc(proc) },
    zones: { file: 'exercises/05-zones/zone.ts', create: (proc) => zones(proc) },
  },
};
document.dispatchEvent(new Event('workbook-student'));
