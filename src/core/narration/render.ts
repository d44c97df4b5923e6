/**
 * The numbered walk-through the CLI prints: one line per step with its time, the output lines it
 * printed under it, folded steps with their first members shown (`expand` shows them all).
 */
import type { Step } from '../../protocol/trace';
import { formatDuration } from '../textTimeline';

export interface RenderStepsOptions {
  /** Members of a folded step printed under it; the rest are counted. Default 0. */
  expand?: number;
  /** Output lines printed under a step; the rest are counted. Default 6. */
  maxOutput?: number;
}

function block(step: Step, label: string, indent: string, opts: Required<RenderStepsOptions>): string[] {
  const head = `${label}${formatDuration(step.t).padStart(9)}  ${step.text}`;
  const lines = [indent + head];
  const pad = indent + ' '.repeat(label.length + 11);
  for (const line of step.output.slice(0, opts.maxOutput)) lines.push(`${pad}│ ${line}`);
  if (step.output.length > opts.maxOutput)
    lines.push(`${pad}│ … ${step.output.length - opts.maxOutput} more line(s)`);
  if (step.members && opts.expand > 0) {
    const shown = step.members.slice(0, opts.expand);
    shown.forEach((m, i) =>
      lines.push(...block(m, `${String.fromCharCode(97 + (i % 26))}. `, pad, { ...opts, expand: 0 })),
    );
    if (step.members.length > shown.length) lines.push(`${pad}… ${step.members.length - shown.length} more`);
  }
  return lines;
}

/** `1.    10.6 ms  main starts (called at L29 by top-level code).` and so on, one step per number. */
export function renderSteps(steps: Step[], options: RenderStepsOptions = {}): string {
  const opts = { expand: options.expand ?? 0, maxOutput: options.maxOutput ?? 6 };
  const width = String(steps.length).length;
  return steps.flatMap((s, i) => block(s, `${String(i + 1).padStart(width)}. `, '', opts)).join('\n');
}
