// The blocks a trace has allocated and not yet freed, ordered by address, so that the
// driver can ask "does [start, end) overlap a live block?" in O(log n) per operation.
// A treap: a binary search tree on addresses whose shape is kept balanced (expected
// O(log n) depth) by a heap on seeded random priorities.

import { mulberry32 } from './prng.ts';

export interface LiveBlock {
  /** The payload's first byte: what malloc returned. */
  start: number;
  /** One past the payload's last byte the trace asked for. */
  end: number;
  /** The trace id that holds it. */
  id: number;
}

interface Node {
  block: LiveBlock;
  priority: number;
  left: Node | undefined;
  right: Node | undefined;
}

export class LiveBlocks {
  private root: Node | undefined;
  private count = 0;
  private readonly random = mulberry32(0x5eed);

  get size(): number {
    return this.count;
  }

  /** Adds a block; the caller has checked that it overlaps none (see overlapping). */
  add(block: LiveBlock): void {
    const [below, above] = split(this.root, block.start);
    const node: Node = { block, priority: this.random(), left: undefined, right: undefined };
    this.root = merge(merge(below, node), above);
    this.count++;
  }

  /** Removes the block that starts at `start`; returns it, or undefined if there is none. */
  remove(start: number): LiveBlock | undefined {
    const [below, rest] = split(this.root, start);
    const [match, above] = split(rest, start + 1);
    this.root = merge(below, above);
    if (match === undefined) return undefined;
    this.count--;
    return match.block;
  }

  /** The live block with the highest start below `address`, if any. */
  before(address: number): LiveBlock | undefined {
    let node = this.root;
    let best: LiveBlock | undefined;
    while (node !== undefined) {
      if (node.block.start < address) {
        best = node.block;
        node = node.right;
      } else node = node.left;
    }
    return best;
  }

  /** The live block with the lowest start at or above `address`, if any. */
  atOrAfter(address: number): LiveBlock | undefined {
    let node = this.root;
    let best: LiveBlock | undefined;
    while (node !== undefined) {
      if (node.block.start >= address) {
        best = node.block;
        node = node.left;
      } else node = node.right;
    }
    return best;
  }

  /**
   * A live block sharing a byte with [start, end), if any. Live blocks never overlap each
   * other, so only the last one starting below `end` can reach into the range.
   */
  overlapping(start: number, end: number): LiveBlock | undefined {
    const candidate = this.before(end);
    return candidate !== undefined && candidate.end > start ? candidate : undefined;
  }

  /** Every live block, in address order. */
  *[Symbol.iterator](): IterableIterator<LiveBlock> {
    const stack: Node[] = [];
    let node = this.root;
    while (node !== undefined || stack.length > 0) {
      while (node !== undefined) {
        stack.push(node);
        node = node.left;
      }
      const top = stack.pop() as Node;
      yield top.block;
      node = top.right;
    }
  }
}

/** Splits a tree into the nodes with start < key and those with start >= key. */
function split(node: Node | undefined, key: number): [Node | undefined, Node | undefined] {
  if (node === undefined) return [undefined, undefined];
  if (node.block.start < key) {
    const [middle, above] = split(node.right, key);
    node.right = middle;
    return [node, above];
  }
  const [below, middle] = split(node.left, key);
  node.left = middle;
  return [below, node];
}

/** Joins two trees, every start in `low` being below every start in `high`. */
function merge(low: Node | undefined, high: Node | undefined): Node | undefined {
  if (low === undefined) return high;
  if (high === undefined) return low;
  if (low.priority > high.priority) {
    low.right = merge(low.right, high);
    return low;
  }
  high.left = merge(low, high.left);
  return high;
}
