/**
 * Runs prepareProgram on a long-lived worker thread (one per host process, started on first use),
 * so that the caller's event loop stays free while TypeScript loads and transforms the program.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SourceError } from '../instrument/errors';
import type { PreparedProgram } from './moduleGraph';
import type { PrepareReply, PrepareRequest } from './prepareProtocol';

let worker: Worker | null = null;
let workerDist = '';
let nextId = 1;
const waiting = new Map<number, { resolve(p: PreparedProgram): void; reject(e: Error): void }>();

function failAll(err: Error): void {
  for (const w of waiting.values()) w.reject(err);
  waiting.clear();
  worker = null;
}

function getWorker(dist: string): Worker {
  if (worker && workerDist === dist) return worker;
  const script = path.join(dist, 'prepareWorker.js');
  if (!fs.existsSync(script)) throw new Error(`Async Timeline: ${script} is missing (run \`npm run build\`)`);
  worker = new Worker(script, { workerData: { dist } });
  workerDist = dist;
  worker.unref(); // an idle preparer must not keep a CLI (or a test runner) alive
  worker.on('message', (reply: PrepareReply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (waiting.size === 0) worker?.unref();
    if (reply.ok) return w.resolve(reply.result);
    const e = reply.error;
    if (e.name === 'SourceError' && typeof e.file === 'string' && typeof e.line === 'number' && typeof e.column === 'number') {
      return w.reject(new SourceError(e.file, e.line, e.column, String(e.detail)));
    }
    w.reject(Object.assign(new Error(e.message), { name: e.name }));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`Async Timeline: the prepare worker stopped (exit ${code})`)));
  return worker;
}

/** Instruments the program's module graph (see moduleGraph.ts) without blocking this thread. */
export function prepareOffThread(dist: string, req: Omit<PrepareRequest, 'id'>): Promise<PreparedProgram> {
  const w = getWorker(dist);
  const id = nextId++;
  return new Promise<PreparedProgram>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.ref(); // keep the process alive while an answer is owed
    w.postMessage({ id, ...req } satisfies PrepareRequest);
  });
}
