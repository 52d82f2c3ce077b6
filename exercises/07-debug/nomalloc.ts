// Chapter 7, step 7: printing without malloc. A logger runs inside malloc and free, so it must
// not call them: C's printf may allocate its buffer on first use, and a logger that allocates
// logs its own allocation, forever. nomallocPrintf formats into a fixed buffer in the data
// segment, byte by byte, and hands the filled bytes to `write`, as write(2) would.
// Check your work with `npm run check -- nomalloc`; stuck? `npm run hint -- nomalloc`.
// Given: the record types (logger.ts), the buffer and put(), and reading the buffer back.

import { hex, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { operationName, MALLOC_OP_CALLOC, MALLOC_OP_FREE, MALLOC_OP_MALLOC, MALLOC_OP_REALLOC, type MallocLogger } from './logger.ts';

export const NOMALLOC_BUFFER_BYTES = 512;

/** Where formatted bytes go: the text, decoded from the buffer (stderr by default). */
export type Write = (text: string) => void;

export const writeStderr: Write = (text) => {
  process.stderr.write(text);
};

/**
 * printf with %s, %u, %d, %lu, %x and %p, each with an optional width (%8s, %16lu), into the
 * static buffer; a line longer than the buffer is cut. Returns the number of bytes written.
 */
export function nomallocPrintf(proc: Process, write: Write, format: string, ...args: (number | string)[]): number {
  const buffer = proc.static('nomalloc_buffer', NOMALLOC_BUFFER_BYTES);
  let length = 0;
  const put = (text: string) => {
    for (let i = 0; i < text.length && length < NOMALLOC_BUFFER_BYTES; i++) proc.store8(buffer + length++, text.charCodeAt(i) & 0xff);
  };
  let next = 0;
  for (let i = 0; i < format.length; i++) {
    const spec = /^%(-?\d*)(l{0,2})([sudxp%])/.exec(format.slice(i));
    if (format[i] !== '%' || spec === null) {
      put(format[i]!);
      continue;
    }
    i += spec[0].length - 1;
    const [, width = '', , conversion] = spec;
    if (conversion === '%') {
      put('%');
      continue;
    }
    // TODO: the next argument as text: %s as it is, %p as hex() prints it (0x and 8 digits),
    // %x in lower-case hex without 0x, %u %d %lu as a whole number. %d is signed; the others
    // read the number's 32 bits unsigned, as C does (-1 prints as ffffffff: `>>> 0`). Padded
    // to `width` with spaces: on the left, or on the right when the width starts with '-'.
    // Then put() it.
    todo('nomallocPrintf: one conversion (%s, %u, %d, %x, %p) into the buffer');
  }
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(proc.load8(buffer + i));
  write(text);
  return length;
}

/** A malloc logger that prints each record, as the classic malloc_log example does. */
export function printingLogger(proc: Process, write: Write = writeStderr): MallocLogger {
  return (type, zone, arg2, arg3, result) => {
    // TODO: one line per record, formatted by nomallocPrintf in its fixed buffer, as a C
    // logger must (printf may call malloc); a template string would skip the buffer.
    // MALLOC_OP_MALLOC and _CALLOC: '%-7s: zone=%p, size=%u, pointer=%p\n' with
    // operationName(type) and the bytes asked for (calloc: count × size); MALLOC_OP_REALLOC:
    // 'realloc: zone=%p, size=%u, old pointer=%p, new pointer=%p\n'; MALLOC_OP_FREE:
    // '%-7s: zone=%p, pointer=%p\n' with 'free'; any other type:
    // 'type %u: %p %u %u -> %p\n' with all five numbers.
    todo('printingLogger: a line for each record');
  };
}
