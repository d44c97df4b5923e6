/** Messages between the runner and its prepare worker (src/runner/prepareWorker.ts). */
import type { PreparedProgram } from './moduleGraph';

export interface PrepareRequest {
  id: number;
  entry: string;
  cwd: string;
  trace: boolean;
  cacheDir: string;
  entrySource?: string;
  /** Packages from node_modules to instrument too (RunOptions.packages). */
  packages?: string[];
}

export type PrepareReply =
  | { id: number; ok: true; result: PreparedProgram }
  | {
      id: number;
      ok: false;
      error: { name: string; message: string; file?: unknown; line?: unknown; column?: unknown; detail?: unknown };
    };
