// The workbook's exercises: one metadata list, checked against the files on disk by
// workbook/exercises.test.ts. Each exercise is one file to fill in and one test file.

import { forwardSlashes, nearestName } from './text.ts';

export interface Chapter {
  number: number;
  /** The folder name in chapters/, exercises/ and solutions/. */
  slug: string;
  title: string;
}

export interface Exercise {
  /** What the student types: `npm run check -- bump`. */
  id: string;
  chapter: string;
  /** The file the student edits, inside the chapter's folder. */
  file: string;
  /** Its tests, inside the same folder. */
  test: string;
  title: string;
  /** Points when grading, for the whole exercise. */
  points: number;
  /** For an exercise that is no allocator of the registry but can be replayed as one: how, told to whoever asks for it by name. */
  replayAs?: string;
}

export const CHAPTERS: readonly Chapter[] = [
  { number: 0, slug: '00-the-process', title: 'The process and its memory' },
  { number: 1, slug: '01-bump', title: 'A bump allocator' },
  { number: 2, slug: '02-free-list', title: 'Headers and a free list' },
  { number: 3, slug: '03-coalescing', title: 'Splitting and coalescing' },
  { number: 4, slug: '04-realloc', title: 'realloc and calloc' },
  { number: 5, slug: '05-zones', title: 'Size classes and zones' },
  { number: 6, slug: '06-magazines', title: 'Magazines' },
  { number: 7, slug: '07-debug', title: 'Debugging the heap' },
  { number: 8, slug: '08-real-programs', title: 'Real programs' },
];

export const EXERCISES: readonly Exercise[] = [
  { id: 'memory', chapter: '00-the-process', file: 'memory.ts', test: 'memory.test.ts', title: 'Bytes by hand: memset and strlen', points: 5 },
  { id: 'vmmap', chapter: '00-the-process', file: 'vmmap.ts', test: 'vmmap.test.ts', title: 'Reading the process map', points: 5 },
  { id: 'pages', chapter: '00-the-process', file: 'pages.ts', test: 'pages.test.ts', title: 'Pages and resident memory', points: 5 },
  { id: 'bump', chapter: '01-bump', file: 'bump.ts', test: 'bump.test.ts', title: 'malloc on sbrk', points: 10 },
  { id: 'batched', chapter: '01-bump', file: 'batched.ts', test: 'batched.test.ts', title: 'Moving the break in big steps', points: 5 },
  { id: 'free-list', chapter: '02-free-list', file: 'free-list.ts', test: 'free-list.test.ts', title: 'Headers, first fit, and catching misuse', points: 15 },
  { id: 'walk', chapter: '02-free-list', file: 'walk.ts', test: 'walk.test.ts', title: 'Walking the heap from its bytes', points: 5 },
  { id: 'coalescing', chapter: '03-coalescing', file: 'coalescing.ts', test: 'coalescing.test.ts', title: 'Split, coalesce, fit, trim', points: 20 },
  { id: 'realloc', chapter: '04-realloc', file: 'realloc.ts', test: 'realloc.test.ts', title: 'realloc in place, calloc without waste', points: 15 },
  { id: 'size-classes', chapter: '05-zones', file: 'size-classes.ts', test: 'size-classes.test.ts', title: 'Three scales, a quantum each', points: 5 },
  { id: 'tiny-region', chapter: '05-zones', file: 'tiny-region.ts', test: 'tiny-region.test.ts', title: "The tiny region's bitmaps", points: 10 },
  { id: 'statistics', chapter: '05-zones', file: 'statistics.ts', test: 'statistics.test.ts', title: 'Counting blocks as they come and go', points: 5 },
  { id: 'rack', chapter: '05-zones', file: 'rack.ts', test: 'rack.test.ts', title: 'malloc and free in regions', points: 20 },
  { id: 'small-region', chapter: '05-zones', file: 'small-region.ts', test: 'small-region.test.ts', title: 'Small blocks: one u16 per quantum', points: 10 },
  { id: 'large', chapter: '05-zones', file: 'large.ts', test: 'large.test.ts', title: 'Large blocks straight from mmap', points: 10 },
  { id: 'enumerate', chapter: '05-zones', file: 'enumerate.ts', test: 'enumerate.test.ts', title: 'Enumerating a zone', points: 5 },
  { id: 'zone', chapter: '05-zones', file: 'zone.ts', test: 'zone.test.ts', title: 'One zone: any pointer to its scale, realloc across scales', points: 10 },
  { id: 'pool', chapter: '05-zones', file: 'pool.ts', test: 'pool.test.ts', title: 'A pool: one size, no header', points: 5 },
  { id: 'lock', chapter: '06-magazines', file: 'lock.ts', test: 'lock.test.ts', title: 'A futex lock in simulated memory', points: 10 },
  { id: 'choose', chapter: '06-magazines', file: 'choose.ts', test: 'choose.test.ts', title: 'A magazine per thread, and where it lives', points: 10 },
  { id: 'depot', chapter: '06-magazines', file: 'depot.ts', test: 'depot.test.ts', title: 'The depot: sparse regions out, refills in', points: 10 },
  { id: 'cross-thread', chapter: '06-magazines', file: 'cross-thread.ts', test: 'cross-thread.test.ts', title: 'Frees from any thread, home to the owner', points: 10 },
  { id: 'magazines', chapter: '06-magazines', file: 'magazines.ts', test: 'magazines.test.ts', title: 'Magazines: malloc under your own lock, traces on four threads', points: 15 },
  { id: 'options', chapter: '07-debug', file: 'options.ts', test: 'options.test.ts', title: 'Options under macOS names, from the environment or code', points: 5 },
  { id: 'scribble', chapter: '07-debug', file: 'scribble.ts', test: 'scribble.test.ts', title: 'MallocScribble: 0xAA in, 0x55 out', points: 5 },
  { id: 'guard-edges', chapter: '07-debug', file: 'guard-edges.ts', test: 'guard-edges.test.ts', title: 'MallocGuardEdges: PROT_NONE pages around large blocks', points: 10 },
  { id: 'check-heap', chapter: '07-debug', file: 'check-heap.ts', test: 'check-heap.test.ts', title: 'MallocCheckHeapStart and Each: a heap check every N operations', points: 5 },
  { id: 'stack-logging', chapter: '07-debug', file: 'stack-logging.ts', test: 'stack-logging.test.ts', title: 'MallocStackLogging and malloc_history', points: 10 },
  { id: 'nomalloc', chapter: '07-debug', file: 'nomalloc.ts', test: 'nomalloc.test.ts', title: 'A malloc logger that prints without malloc', points: 10 },
  { id: 'interpose', chapter: '07-debug', file: 'functions.ts', test: 'interpose.test.ts', title: "Interposing on a zone's function table", points: 5 },
  { id: 'leaks', chapter: '07-debug', file: 'leaks.ts', test: 'leaks.test.ts', title: 'leaks: a conservative scan for unreachable blocks', points: 10 },
  { id: 'hardened', chapter: '07-debug', file: 'hardened.ts', test: 'hardened.test.ts', title: 'Hardened free lists: sealed links', points: 10 },
  { id: 'debug', chapter: '07-debug', file: 'debug.ts', test: 'debug.test.ts', title: 'The debug zone: every option on your zone', points: 10 },
  {
    id: 'tuned',
    chapter: '08-real-programs',
    file: 'tuned.ts',
    test: 'tuned.test.ts',
    title: 'A zone tuned for one real program',
    points: 10,
    replayAs: 'zones with its thresholds: npm run trace -- zones traces/recorded/ls.rep --option smallLimit=65536',
  },
];

export function chapterOf(exercise: Exercise): Chapter {
  const chapter = CHAPTERS.find((c) => c.slug === exercise.chapter);
  if (chapter === undefined) throw new Error(`exercise '${exercise.id}' names an unknown chapter '${exercise.chapter}'`);
  return chapter;
}

/** The exercise whose file `path` is (`exercises/05-zones/rack.ts`, `.target-ann/05-zones/rack.ts:212` without its line, `05-zones/rack.ts`), if any. */
export function exerciseOfFile(path: string): Exercise | undefined {
  const file = forwardSlashes(path);
  return EXERCISES.find((e) => file === `${e.chapter}/${e.file}` || file.endsWith(`/${e.chapter}/${e.file}`));
}

/** `exercises/01-bump/bump.ts`: the path a student opens. */
export function exercisePath(exercise: Exercise): string {
  return `exercises/${exercise.chapter}/${exercise.file}`;
}

export function testPath(exercise: Exercise): string {
  return `exercises/${exercise.chapter}/${exercise.test}`;
}

/** The chapter `selector` names by number (`1`, `01`) or folder (`01-bump`), if any. */
export function findChapter(selector: string): Chapter | undefined {
  return CHAPTERS.find((c) => c.slug === selector || (/^\d+$/.test(selector) && c.number === Number(selector)));
}

/** How wide a column of exercise ids must be: the longest (stack-logging), and a space. */
export const EXERCISE_ID_WIDTH = Math.max(...EXERCISES.map((e) => e.id.length)) + 1;

/**
 * The exercises a student means by `selector`: a chapter number (`1`, `01`), a chapter
 * folder (`01-bump`), an exercise id (`bump`), or the path of an exercise's file or test
 * (`exercises/01-bump/bump.ts`). Nothing selected means all of them.
 */
export function selectExercises(selector: string | undefined): Exercise[] {
  if (selector === undefined || selector === '' || selector === 'all') return [...EXERCISES];
  const byId = EXERCISES.filter((e) => e.id === selector);
  if (byId.length > 0) return byId;
  // A path as messages print it: exercises/00-the-process/memory.ts (a line number too), its test, or the chapter folder.
  const path = forwardSlashes(selector)
    .replace(/:\d+(:\d+)?$/, '')
    .replace(/^\.\//, '')
    .replace(/\/$/, '')
    .replace(/^(.*\/)?exercises\//, '');
  const chapter = findChapter(path);
  if (chapter !== undefined) return EXERCISES.filter((e) => e.chapter === chapter.slug);
  const byPath = EXERCISES.filter((e) => path === `${e.chapter}/${e.file}` || path === `${e.chapter}/${e.test}`);
  if (byPath.length > 0) return byPath;
  // The file's name alone, as a box or an error names it (functions.ts is interpose's), when only one exercise has it.
  const byFile = EXERCISES.filter((e) => path === e.file || `${path}.ts` === e.file);
  if (byFile.length === 1) return byFile;
  const known = [...CHAPTERS.map((c) => String(c.number).padStart(2, '0')), ...EXERCISES.map((e) => e.id)];
  if (/^\d+$/.test(selector) && Number(selector) <= 8) {
    throw new Error(`Chapter ${Number(selector)} is not in the workbook yet. Chapters so far: ${CHAPTERS.map((c) => String(c.number).padStart(2, '0')).join(', ')}.`);
  }
  const near = nearestName(selector, [...EXERCISES.map((e) => e.id), ...CHAPTERS.map((c) => c.slug)]);
  const meant = near === undefined ? '' : ` Did you mean '${near}'?`;
  throw new Error(`There is no chapter or exercise '${selector}'.${meant} Try one of: ${known.join(', ')}.`);
}
