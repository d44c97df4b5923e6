/**
 * A worker thread that prepares programs (instruments their module graph) off the caller's thread:
 * the extension host must never freeze while TypeScript loads or a large program is transformed.
 * It loads dist/instrument.js once and serves requests for as long as the host lives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type * as Instrumenter from '../instrument';
import { prepareProgram } from './moduleGraph';
import type { PrepareReply, PrepareRequest } from './prepareProtocol';

const { dist } = workerData as { dist: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const instrumenter = require(path.join(dist, 'instrument.js')) as typeof Instrumenter;
/** Node names modules by their real path: a symlinked dist/ is compared as what it points to. */
const ownDir = fs.realpathSync(dist);

parentPort!.on('message', (req: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    reply = {
      id: req.id,
      ok: true,
      result: prepareProgram(instrumenter, req.entry, req.cwd, req.trace, req.cacheDir, req.entrySource, req.packages, ownDir),
    };
  } catch (err) {
    const e = err as Error & Partial<Record<'file' | 'line' | 'column' | 'detail', unknown>>;
    reply = {
      id: req.id,
      ok: false,
      error: { name: e?.name ?? 'Error', message: e?.message ?? String(err), file: e?.file, line: e?.line, column: e?.column, detail: e?.detail },
    };
  }
  parentPort!.postMessage(reply);
});
