/**
 * Files the traced program prepares itself (computed `require`/`import()` paths) and has to leave
 * untraced: each thread that prepares one appends a JSON line to a file in the run's work folder
 * (RunManifest.untracedFile); the host reads it into Trace.untraced. A file, not a message on the event
 * stream, because the ES-module hooks thread prepares files too and has no writer of its own.
 */
import fs from 'node:fs';
import type { UntracedFile } from '../protocol/trace';

/** Inside the program: note one untraced file (never throws: a lost note must not stop the program). */
export function noteUntraced(logFile: string | undefined, entry: UntracedFile): void {
  if (!logFile) return;
  try {
    fs.appendFileSync(logFile, JSON.stringify(entry) + '\n');
  } catch {
    // the work folder is gone (the run is ending)
  }
}

/** On the host: what the program noted so far (a line cut short by a kill is left out). */
export function readUntraced(logFile: string): UntracedFile[] {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  const files: UntracedFile[] = [];
  for (const line of text.split('\n')) {
    try {
      const e = JSON.parse(line) as Partial<UntracedFile>;
      if (typeof e.file === 'string' && typeof e.reason === 'string')
        files.push({ file: e.file, reason: e.reason });
    } catch {
      // empty or partial line
    }
  }
  return files;
}
