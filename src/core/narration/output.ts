/**
 * Which step printed what. Output is timestamped when the host received it, a little after the
 * write; a chunk goes to the step in progress when it arrived. Nothing runs while the loop is
 * idle, so a chunk that arrived during an idle step was written before it: it goes to the last
 * step before the quiet — unless it arrived in the second half of the quiet: the host's clock
 * reads whole milliseconds, so a line written just after the loop woke can read as a little before
 * it, and a line written before a long quiet arrives at its start, not at its end; it goes to the
 * step after the quiet. The times are the host's, not the program's: a line can land a step late.
 */
import type { OutputRecord } from '../../protocol/trace';
import type { RawSteps } from './collect';

/**
 * Gives each output chunk's lines to a raw step (`steps` in time order). A chunk that ends mid-line
 * is continued by the next chunk of the same stream: the line stays whole, with the step that
 * started it.
 */
export function attachOutput(steps: RawSteps, output: OutputRecord[]): void {
  if (!steps.length) return;
  const { t } = steps;
  const chunks = output.filter((c) => c.text !== '').sort((a, b) => a.t - b.t);
  /** Per stream, the lines whose last one is still unfinished. */
  const open = new Map<string, string[]>();
  let i = 0;
  for (const chunk of chunks) {
    while (i + 1 < steps.length && t[i + 1] <= chunk.t) i++;
    let j = i;
    if (steps.kindOf(i) === 'idle' && i + 1 < steps.length && steps.end[i] - chunk.t < chunk.t - t[i])
      j = i + 1;
    while (j > 0 && steps.kindOf(j) === 'idle') j--;
    // Output before the first step (the program's top-level code) goes to the first one.
    const lines = chunk.text.split(/\r?\n/);
    const partial = open.get(chunk.stream);
    if (partial) partial[partial.length - 1] += lines.shift()!;
    const finished = chunk.text.endsWith('\n');
    if (finished) lines.pop();
    if (lines.length) {
      let out = steps.output.get(j);
      if (!out) steps.output.set(j, (out = []));
      out.push(...lines);
      if (finished) open.delete(chunk.stream);
      else open.set(chunk.stream, out);
    } else if (finished) open.delete(chunk.stream);
  }
}
