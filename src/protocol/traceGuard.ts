/**
 * Whether parsed JSON is one of our traces: the one check the extension's Open Trace and the CLI's
 * `explain <trace.json>` both make before reading a file someone handed them.
 */
import { TRACE_FORMAT, TRACE_VERSION, type Trace } from './trace';

/** Checks that parsed JSON is one of our traces (enough to draw and decorate it safely). */
export function validateTrace(v: unknown): Trace | string {
  if (typeof v !== 'object' || v === null) return 'not a JSON object';
  const t = v as Partial<Trace>;
  if (t.format !== TRACE_FORMAT)
    return `not an Async Timeline trace (format is ${JSON.stringify(t.format)}; Chrome/Perfetto exports cannot be loaded back)`;
  if (t.version !== TRACE_VERSION) return `unsupported trace version ${String(t.version)}`;
  if (
    !Array.isArray(t.tasks) ||
    typeof t.entry !== 'string' ||
    typeof t.cwd !== 'string' ||
    typeof t.durationMs !== 'number'
  )
    return 'the trace is missing tasks, entry, cwd or durationMs';
  for (const task of t.tasks) {
    if (
      typeof task !== 'object' ||
      task === null ||
      !Number.isInteger(task.id) ||
      typeof task.name !== 'string' ||
      !Array.isArray(task.segments)
    )
      return 'a task record is malformed';
  }
  return { callbacks: [], output: [], ...t } as Trace;
}
