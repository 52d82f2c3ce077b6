// Chapter 7, step 7: printing without malloc. A logger runs inside malloc and free, so it must
// not call them: C's printf may allocate its buffer on first use, and a logger that allocates
// logs its own allocation, forever. nomallocPrintf formats into a fixed buffer in the data
// segment, byte by byte, and hands the filled bytes to `write`, as write(2) would.

import { hex, type Process } from '../../machine/index.ts';
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
    const arg = args[next++] ?? '';
    // %d is signed; %u, %lu, %x and %p read the same 32 bits unsigned, as C does: -1 is ffffffff.
    const whole = Math.trunc(Number(arg));
    const unsigned = whole >>> 0;
    const text = conversion === 's' ? String(arg) : conversion === 'p' ? hex(unsigned) : conversion === 'x' ? unsigned.toString(16) : conversion === 'd' ? String(whole) : String(unsigned);
    const pad = Math.abs(Number(width || 0));
    put(width.startsWith('-') ? text.padEnd(pad) : text.padStart(pad));
  }
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(proc.load8(buffer + i));
  write(text);
  return length;
}

/** A malloc logger that prints each record, as the classic malloc_log example does. */
export function printingLogger(proc: Process, write: Write = writeStderr): MallocLogger {
  return (type, zone, arg2, arg3, result) => {
    switch (type) {
      case MALLOC_OP_MALLOC:
        nomallocPrintf(proc, write, '%-7s: zone=%p, size=%u, pointer=%p\n', operationName(type), zone, arg2, result);
        break;
      case MALLOC_OP_CALLOC:
        nomallocPrintf(proc, write, '%-7s: zone=%p, size=%u, pointer=%p\n', operationName(type), zone, arg2 * arg3, result);
        break;
      case MALLOC_OP_REALLOC:
        nomallocPrintf(proc, write, 'realloc: zone=%p, size=%u, old pointer=%p, new pointer=%p\n', zone, arg3, arg2, result);
        break;
      case MALLOC_OP_FREE:
        nomallocPrintf(proc, write, '%-7s: zone=%p, pointer=%p\n', 'free', zone, arg2);
        break;
      default:
        nomallocPrintf(proc, write, 'type %u: %p %u %u -> %p\n', type, zone, arg2, arg3, result);
    }
  };
}
