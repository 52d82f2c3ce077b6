// A trace played on a fresh simulated process, one operation at a time, for the views of the
// site (the heap view, the zone view): each reads its picture from the cursor's process.
// Memory has no undo, so going back plays the trace again from the start.

import { Process, type Allocator, type ProcessOptions } from '../../machine/index.ts';

export type HeapOp = { kind: 'a'; id: number; bytes: number } | { kind: 'f'; id: number } | { kind: 'r'; id: number; bytes: number };

/**
 * An operation as the C call it stands for, the trace's id as the pointer's name: the trace's
 * own `a 3 114` means nothing to a reader who has not met the format.
 */
export const formatOp = (op: HeapOp): string =>
  op.kind === 'a' ? `p${op.id} = malloc(${op.bytes})` : op.kind === 'r' ? `p${op.id} = realloc(p${op.id}, ${op.bytes})` : `free(p${op.id})`;

export interface CursorOptions {
  process?: ProcessOptions;
  /** Fill each block with what the program asked for, as the trace driver's program does, so its pages count as written. */
  writePayloads?: boolean;
}

export class TraceCursor<A extends Allocator> {
  proc!: Process;
  allocator!: A;
  private pointers = new Map<number, number>();
  /** The bytes asked for, by the address of each live block. */
  readonly requested = new Map<number, number>();
  private done = 0;

  constructor(
    readonly ops: HeapOp[],
    private readonly create: (proc: Process) => A,
    private readonly options: CursorOptions = {},
  ) {
    this.reset();
  }

  private reset(): void {
    this.proc = new Process(this.options.process);
    this.allocator = this.create(this.proc);
    this.pointers.clear();
    this.requested.clear();
    this.done = 0;
  }

  private apply(op: HeapOp): void {
    const old = this.pointers.get(op.id) ?? 0;
    if (op.kind === 'f') {
      this.allocator.free(old);
      this.pointers.delete(op.id);
      this.requested.delete(old);
      return;
    }
    const ptr = op.kind === 'a' ? this.allocator.malloc(op.bytes) : this.allocator.realloc(old, op.bytes);
    this.requested.delete(old);
    this.pointers.set(op.id, ptr);
    this.requested.set(ptr, op.bytes);
    if (this.options.writePayloads === true && ptr !== 0) this.proc.memset(ptr, 0xa5, op.bytes);
  }

  /** Plays the trace up to `step` (kept inside 0…ops.length) and returns the step reached. */
  moveTo(step: number): number {
    const target = Math.max(0, Math.min(step, this.ops.length));
    if (target < this.done) this.reset();
    while (this.done < target) this.apply(this.ops[this.done++]);
    return target;
  }

  /** The operation that led to `step`: `p3 = malloc(114)`, or `(start)`. */
  opAt(step: number): string {
    return step === 0 ? '(start)' : formatOp(this.ops[step - 1]);
  }

  /** Bytes the program asked for and holds. */
  get liveBytes(): number {
    return [...this.requested.values()].reduce((a, b) => a + b, 0);
  }
}

/** Where a second allocator (the student's) first parts from the reference on the same trace. */
export interface Difference {
  step: number;
  /** The operation of that step, `p3 = malloc(114)` (`(start)` before the first). */
  op: string;
  /** What differs, or what the allocator threw. */
  message: string;
  /** It threw (or its memory could not be read), rather than laid out other blocks. */
  threw: boolean;
}

/**
 * Steps both replays through the trace and returns the first step where `differ` finds the two
 * states apart, or where the second throws (its error in `error`); undefined if they never part.
 * `other` makes the second replay, so that an allocator that throws as it is created is caught too.
 */
export function firstDifferingStep<S>(
  ops: HeapOp[],
  reference: (step: number) => S,
  other: () => (step: number) => S,
  differ: (ours: S, theirs: S) => string | undefined,
): (Difference & { error?: unknown }) | undefined {
  const at = (step: number) => (step === 0 ? '(start)' : formatOp(ops[step - 1]));
  let step = 0;
  try {
    const theirs = other();
    for (; step <= ops.length; step++) {
      const state = theirs(step);
      const message = differ(reference(step), state);
      if (message !== undefined) return { step, op: at(step), message, threw: false };
    }
  } catch (error) {
    return { step, op: at(step), message: error instanceof Error ? error.message : String(error), threw: true, error };
  }
  return undefined;
}
