// The registry of every allocator in the book, by a stable id that tools rely on.

import type { CreateAllocator } from '../machine/index.ts';
import { EXERCISES } from './exercises.ts';
import { loadExercise } from './target.ts';
import { nearestName } from './text.ts';

export interface AllocatorEntry {
  id: string;
  chapter: number;
  /** The module inside a target: `01-bump/bump.ts`. */
  module: string;
  description: string;
}

export const ALLOCATORS: readonly AllocatorEntry[] = [
  { id: 'bump', chapter: 1, module: '01-bump/bump.ts', description: 'one sbrk per malloc; free does nothing' },
  { id: 'bump-batched', chapter: 1, module: '01-bump/batched.ts', description: 'the break moves 64 KiB at a time' },
  { id: 'free-list', chapter: 2, module: '02-free-list/free-list.ts', description: 'headers and a list of all blocks; first fit' },
  { id: 'realloc', chapter: 4, module: '04-realloc/realloc.ts', description: 'realloc in place, calloc that skips fresh memory; best fit' },
  { id: 'coalescing', chapter: 3, module: '03-coalescing/coalescing.ts', description: 'splitting, boundary tags, an explicit free list; first, next or best fit' },
  { id: 'zones', chapter: 5, module: '05-zones/zone.ts', description: 'tiny, small and large scales: regions with bitmaps, free lists per size, mmap for large' },
  { id: 'magazines', chapter: 6, module: '06-magazines/magazines.ts', description: 'the zone with a magazine per thread, each behind its own lock, and a depot of spare regions' },
  { id: 'debug', chapter: 7, module: '07-debug/debug.ts', description: 'the zone with debugging layers: scribble, guard edges, heap checks, stack logging, a malloc logger, leaks' },
];

export interface AllocatorModule {
  createAllocator: CreateAllocator;
}

/** The allocator module `id` of a target (exercises, solutions, or a submission folder). */
export async function loadAllocator(id: string, target?: string): Promise<AllocatorModule> {
  const entry = ALLOCATORS.find((a) => a.id === id);
  if (entry === undefined) throw new Error(unknownAllocator(id));
  const module = await loadExercise<Partial<AllocatorModule>>(entry.module, target);
  if (typeof module.createAllocator !== 'function') {
    throw new Error(`${entry.module} does not export a function createAllocator(proc), which every allocator module must.`);
  }
  return module as AllocatorModule;
}

/** What a name that is no allocator of the registry gets: the allocators, and what was likely meant. */
function unknownAllocator(id: string): string {
  const known = ALLOCATORS.map((a) => a.id);
  const near = nearestName(id, known);
  const exercise = EXERCISES.find((e) => e.id === id);
  // An exercise whose file is an allocator's module (batched is bump-batched), or one replayed as another (tuned).
  const registered = exercise === undefined ? undefined : ALLOCATORS.find((a) => a.module === `${exercise.chapter}/${exercise.file}`);
  const meant =
    registered !== undefined
      ? ` The exercise ${id} is the allocator '${registered.id}'.`
      : exercise?.replayAs !== undefined
        ? ` The exercise ${id} is ${exercise.replayAs}.`
        : near !== undefined
          ? ` Did you mean '${near}'?`
          : exercise !== undefined
            ? ` '${id}' is an exercise, not an allocator.`
            : '';
  return `There is no allocator '${id}'.${meant} Known: ${known.join(', ')}.`;
}
