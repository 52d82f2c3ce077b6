// Formatting of addresses and bytes, shared by error messages, maps() and the tests.

/** `0x01000010`: an address as C's `%p` would print it, padded to 8 digits. */
export function hex(value: number, digits = 8): string {
  if (!Number.isSafeInteger(value)) return String(value);
  const sign = value < 0 ? '-' : '';
  return `${sign}0x${Math.abs(value).toString(16).padStart(digits, '0')}`;
}

/** Kibibytes and mebibytes for people: `4 KiB`, `1.5 MiB`, `12 bytes`, `1 byte`; a size that is not a whole number of its unit has one decimal. */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1024) return `${bytes} ${Math.abs(bytes) === 1 ? 'byte' : 'bytes'}`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 'bytes';
  for (const next of units) {
    // 1,048,575 bytes is 1.0 MiB, not 1024.0 KiB.
    if (Math.abs(value) < 1024 && Math.abs(Number(value.toFixed(1))) < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/**
 * An `xxd`-style dump of `bytes` that start at address `start`, 16 per line.
 * `readByte` returns undefined for a byte that cannot be read (printed `..`).
 * `mark` underlines one address range with `^^`.
 */
export function hexdumpLines(
  start: number,
  length: number,
  readByte: (addr: number) => number | undefined,
  mark?: { from: number; to: number },
): string[] {
  const lines: string[] = [];
  const first = start - (start % 16);
  for (let row = first; row < start + length; row += 16) {
    const cells: string[] = [];
    let ascii = '';
    let marks = '';
    for (let i = 0; i < 16; i++) {
      const addr = row + i;
      const inside = addr >= start && addr < start + length;
      const byte = inside ? readByte(addr) : undefined;
      cells.push(!inside ? '  ' : byte === undefined ? '..' : byte.toString(16).padStart(2, '0'));
      ascii += byte === undefined ? ' ' : byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
      const marked = mark !== undefined && addr >= mark.from && addr < mark.to;
      marks += (marked ? '^^' : '  ') + (i === 7 ? '  ' : ' ');
    }
    lines.push(`${hex(row)}: ${cells.slice(0, 8).join(' ')}  ${cells.slice(8).join(' ')}  |${ascii}|`);
    if (marks.trim() !== '') lines.push(`${' '.repeat(12)}${marks.trimEnd()}`);
  }
  return lines;
}
