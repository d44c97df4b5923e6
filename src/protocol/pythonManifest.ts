/**
 * What the host hands a traced Python program: a JSON file named by the environment variable
 * {@link PY_MANIFEST_ENV}, read by `pyruntime/sitecustomize.py` (documented for the Python side
 * in `pyruntime/PROTOCOL.md`). The events file and the stop file work exactly like the Node
 * runtime's (src/protocol/events.ts; stop file = flush, answer `stopping`, then the host kills).
 */
export const PY_MANIFEST_ENV = 'ASYNC_TIMELINE_PY_MANIFEST';

export interface PythonRunManifest {
  version: 1;
  /** The file the runtime appends its frames to; the host reads it as it grows. */
  eventsFile: string;
  /** When this file appears, the runtime flushes everything and reports `stopping`. */
  stopFile: string;
  /** Event cap: past it the runtime sends `truncated` and stops recording (the program runs on). */
  maxEvents: number;
  /** The program's working directory (absolute). */
  cwd: string;
  /** Absolute folders of the user's own code (the script's folder and cwd): only code under them is traced. */
  userRoots: string[];
  /** false: run the program untraced (plain runs, differential tests). */
  trace: boolean;
}
