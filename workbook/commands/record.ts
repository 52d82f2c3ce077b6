// `npm run record -- [--name <name>] [--max-ops <n>] [--force] [--json] <command …>`: record
// a real program's allocations into traces/recorded/<name>.rep. Its own options come first; the
// first word that is not one of them starts the command, whose options are its own.

import { relative } from 'node:path';
import pc from 'picocolors';
import { formatBytes } from '../../machine/format.ts';
import { RecorderUnavailable, type Recording, recordCommand } from '../record/record.ts';
import { UsageError } from './options.ts';
import { usageOf } from './usage.ts';

export interface RecordArgs {
  command: string[];
  name?: string;
  maxOps?: number;
  force: boolean;
  /** --keep-failed: write the trace even when the command fails. */
  keepFailed: boolean;
  json: boolean;
  /** --help or -h before the command: the usage, nothing run. */
  help?: boolean;
}

export function parseRecordArgs(args: readonly string[]): RecordArgs {
  const parsed: RecordArgs = { command: [], force: false, keepFailed: false, json: false };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '--help' || arg === '-h') return { ...parsed, help: true };
    if (!arg.startsWith('--')) break;
    if (arg === '--json') parsed.json = true;
    else if (arg === '--force') parsed.force = true;
    else if (arg === '--keep-failed') parsed.keepFailed = true;
    else if (arg === '--name') {
      const value = args[++i];
      if (value === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) throw new UsageError('--name takes a trace name: letters, digits, ".", "-" and "_" (traces/recorded/<name>.rep).');
      parsed.name = value;
    } else if (arg === '--max-ops') {
      const value = args[++i];
      if (value === undefined || !/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) {
        throw new UsageError(`--max-ops takes a number of operations from 1 to ${Number.MAX_SAFE_INTEGER}, such as 100000.`);
      }
      parsed.maxOps = Number(value);
    } else throw new UsageError(`Unknown option ${arg} for record (its options come before the command; put -- before a command that starts with --).`);
  }
  parsed.command = args.slice(i);
  if (parsed.command.length === 0) throw new UsageError('record needs a command to run: npm run record -- git status');
  return parsed;
}

export async function record(args: readonly string[]): Promise<number> {
  const parsed = parseRecordArgs(args);
  if (parsed.help === true) {
    console.log(usageOf('record'));
    return 0;
  }
  const here = process.env.INIT_CWD ?? process.cwd();
  const tty = process.stderr.isTTY === true;
  let recording: Recording;
  try {
    recording = await recordCommand(parsed.command, {
      name: parsed.name,
      maxOps: parsed.maxOps,
      force: parsed.force,
      keepFailed: parsed.keepFailed,
      cwd: here,
      // One line, cut to the terminal's width: a wrapped line would not be cleared by the next.
      onProgress: (message) => tty && process.stderr.write(`\r\u001b[2K${pc.dim(message.slice(0, (process.stderr.columns ?? 80) - 1))}`),
    });
  } catch (error) {
    if (tty) process.stderr.write('\r\u001b[2K');
    const message = error instanceof Error ? error.message : String(error);
    if (parsed.json) console.log(JSON.stringify({ command: parsed.command, error: message, unavailable: error instanceof RecorderUnavailable }, null, 2));
    else console.error(pc.red(message));
    return 1;
  }
  if (tty) process.stderr.write('\r\u001b[2K');
  const file = relative(here, recording.file);
  if (parsed.json) {
    console.log(JSON.stringify({ ...recording, file }, null, 2));
    return 0;
  }
  console.log(formatRecording(recording, file));
  return 0;
}

const n = (value: number) => value.toLocaleString('en-US');

/** What a recording caught and what it left out, for a person. */
export function formatRecording(r: Recording, file: string): string {
  const c = r.counts;
  const failed = r.signal !== null || r.exitCode !== 0;
  const ended = `${r.signal !== null ? `was killed by ${r.signal}` : `exited with ${r.exitCode}`}${failed ? ' (its trace kept all the same: --keep-failed)' : ''}`;
  const caught = `${n(c.malloc)} malloc, ${n(c.calloc)} calloc, ${n(c.realloc)} realloc, ${n(c.free)} free`;
  const lines = [
    `${r.command.join(' ')} ${ended} after ${r.seconds.toFixed(1)} s.`,
    r.cut ? `Cut the trace at ${n(r.ops)} operations (--max-ops): ${caught}.` : `Caught ${n(r.ops)} operations: ${caught}.`,
    `${n(r.ids)} ids, at most ${n(c.peakLiveBlocks)} blocks and ${n(c.peakLivePayload)} bytes live at once; ${n(c.liveAtEnd)} still live ${r.cut ? 'at the cut' : 'at exit'}.`,
  ];
  const skipped: string[] = [];
  if (c.unknownFrees > 0) skipped.push(`${n(c.unknownFrees)} frees of blocks allocated before the library was loaded`);
  if (c.unknownReallocs > 0) skipped.push(`${n(c.unknownReallocs)} reallocs of such blocks, recorded as malloc`);
  if (c.missedFrees > 0) skipped.push(`${n(c.missedFrees)} blocks whose free was missed (freed when their address came back)`);
  if (c.otherProcessCalls > 0) skipped.push(`${n(c.otherProcessCalls)} calls of ${n(c.otherProcesses)} child process${c.otherProcesses === 1 ? '' : 'es'}`);
  if (c.earlierImageCalls > 0 || c.earlierImages > 0) skipped.push(`${n(c.earlierImageCalls)} calls of ${n(c.earlierImages)} program${c.earlierImages === 1 ? '' : 's'} that exec'd the next (a wrapper, a shell)`);
  if (c.unreadableLines > 0) skipped.push(`${n(c.unreadableLines)} unreadable log lines`);
  lines.push(skipped.length === 0 ? 'Skipped nothing.' : `Skipped: ${skipped.join('; ')}.`);
  if (r.cut) lines.push(pc.yellow(`Cut at --max-ops ${n(r.ops)}: ${n(c.cutCalls)} later calls are not in the trace, nor are they counted above.`));
  const size = formatBytes(r.bytes);
  lines.push(`Wrote ${file} (${size}). Replay it: npm run trace -- zones ${file}`);
  if (r.bytes > 2 * 1024 * 1024) lines.push(pc.yellow(`That is a big trace: --max-ops ${Math.floor((r.ops * 2 * 1024 * 1024) / r.bytes)} would keep it under 2 MiB.`));
  return lines.join('\n');
}
