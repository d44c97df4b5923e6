/**
 * Names the threads and processes of a run (`Trace.groups`) from what each stream's `start` frame
 * says about itself. Pure: the trace builder calls it when a stream starts running traced code.
 */
import type { RuntimeMessage } from '../protocol/events';
import type { TraceGroup } from '../protocol/trace';

type StartMessage = Extract<RuntimeMessage, { type: 'start' }>;

/** The node flags a command line shows in a label: none (they are noise next to the script). */
function scriptOf(argv: string[]): string | null {
  for (const word of argv.slice(1)) if (!word.startsWith('-')) return word;
  return null;
}

/** A path given as a path or a `file:` URL, as a path. */
export function plainPath(file: string): string {
  return file.startsWith('file:') ? decodeURIComponent(file.replace(/^file:\/\//, '')) : file;
}

/** The base name of a path or file URL. */
function baseName(file: string): string {
  const plain = plainPath(file);
  return plain.split(/[\\/]/).pop() || plain;
}

/** A process's command line as a shell would show it: `node`, then its arguments (quoted when needed). */
export function commandLine(argv: string[]): string {
  const words = ['node', ...argv.slice(1)];
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The group a stream stands for. `id`: its number in the trace; `workerNo`: for a worker, which worker
 * of its process it is (1, 2, … in the order they ran traced code); `entry`: its entry file as the
 * trace names files (relative to cwd).
 */
export function describeGroup(start: StartMessage, id: number, workerNo: number, entry: string | undefined): Omit<TraceGroup, 'parentGroup' | 'started' | 'ended'> {
  const kind = start.kind ?? 'main';
  const threadId = start.threadId ?? 0;
  const base = { id, kind, pid: start.pid, threadId, ...(entry ? { entry } : {}) };
  if (kind === 'worker') {
    return { ...base, label: `worker ${workerNo}${start.entry ? ` (${baseName(start.entry)})` : ''}` };
  }
  if (kind === 'process') {
    const argv = start.argv ?? [];
    const script = scriptOf(argv);
    return { ...base, label: `node ${script ? baseName(script) : ''} (pid ${start.pid})`.replace('  ', ' '), command: commandLine(argv) };
  }
  return { ...base, label: 'main' };
}
