/**
 * Which step printed what. Output is timestamped when the host received it, a little after the
 * write; a chunk goes to the step in progress when it arrived. Nothing runs while the loop is
 * idle, so a chunk that arrived during an idle step was written before it: it goes to the last
 * step before the quiet.
 */
import type { OutputRecord } from '../../protocol/trace';
import { NO_OUTPUT, type Draft } from './collect';

/** The lines of a chunk (a final newline ends the last line, it does not start another). */
export function outputLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Gives each output chunk's lines to a draft (`drafts` in time order). */
export function attachOutput(drafts: Draft[], output: OutputRecord[]): void {
  if (!drafts.length) return;
  const chunks = [...output].sort((a, b) => a.t - b.t);
  let i = 0;
  for (const chunk of chunks) {
    while (i + 1 < drafts.length && drafts[i + 1].t <= chunk.t) i++;
    let j = i;
    while (j > 0 && drafts[j].kind === 'idle') j--;
    // Output before the first step (the program's top-level code) goes to the first one.
    const d = drafts[j];
    if (d.output === NO_OUTPUT) d.output = [];
    d.output.push(...outputLines(chunk.text));
  }
}
