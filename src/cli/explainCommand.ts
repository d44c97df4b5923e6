/**
 * `async-timeline explain`: the run told step by step. On a saved trace it reads the file and
 * prints; on a program it is `run --explain` without the timeline (runCommand does that). The
 * words are core's (`narration`, `criticalPath`); this file only reads the file and prints.
 */
import fs from 'node:fs';
import path from 'node:path';
import { criticalPath, criticalPathLine } from '../core/criticalPath';
import { narrate } from '../core/narration';
import { renderSteps } from '../core/narration/render';
import { summarizeTrace } from '../core/textTimeline';
import type { Trace } from '../protocol/trace';
import { validateTrace } from '../protocol/traceGuard';
import { UsageError, type ExplainTraceCommand } from './args';
import type { CliIo } from './runCommand';

/** The numbered steps (folded ones with their first members). */
export function explainText(trace: Trace): string {
  const steps = trace.steps ?? narrate(trace);
  return steps.length ? renderSteps(steps, { expand: 3 }) : 'no steps: no coroutine ran';
}

/** The run summary's critical path line, or null when no task ran. */
export function pathLine(trace: Trace): string | null {
  return criticalPathLine(trace, trace.criticalPath ?? criticalPath(trace));
}

/** Adds what `--explain` adds to the trace JSON. */
export function withExplanation(trace: Trace): Trace {
  return { ...trace, steps: narrate(trace), criticalPath: criticalPath(trace) };
}

/** Explains a saved trace; resolves with the exit status. */
export function explainTraceFile(cmd: ExplainTraceCommand, io: CliIo): number {
  const file = path.resolve(io.cwd, cmd.file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`${cmd.file}: no such file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${cmd.file}: not JSON (${(e as Error).message})`);
  }
  const trace = validateTrace(parsed);
  if (typeof trace === 'string') throw new UsageError(`${cmd.file}: ${trace}`);
  const line = pathLine(trace);
  io.stdout.write(`${explainText(trace)}\n${summarizeTrace(trace)}\n${line ? `${line}\n` : ''}`);
  return 0;
}
