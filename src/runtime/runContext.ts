/**
 * Which thread of which traced run this is, and where its events go. A process learns its run from
 * the environment (the host sets {@link MANIFEST_ENV}; a command's processes inherit it, with
 * {@link PARENT_ENV} naming the nearest traced ancestor); a worker thread learns it from Node's
 * environment data, which every thread hands down to the threads it starts (not visible in the
 * program's process.env, unlike an environment variable).
 *
 * Our own threads (the writer, Node's ES-module hooks thread) run this preload too (they inherit the
 * flags, or NODE_OPTIONS): {@link asOurThread} marks them while they are created, and they stay untraced.
 */
import path from 'node:path';
import { getEnvironmentData, isMainThread, setEnvironmentData, threadId } from 'node:worker_threads';
import { ROOT_STREAM, streamKey } from '../protocol/events';
import { MANIFEST_ENV, type RunManifest } from './manifest';

/** The environment variable that tells a command's processes which traced process started them. */
export const PARENT_ENV = 'ASYNC_TIMELINE_PARENT';
/** Our key in Node's environment data (worker threads). */
const DATA_KEY = 'asyncTimeline.thread';

type Role = 'root' | 'process' | 'worker' | 'internal';

interface ThreadData {
  manifest: string;
  /** `internal`: a thread of the tool's own (the writer, the ES-module hooks thread). */
  role: 'worker' | 'internal';
  /** The stream key of the thread that started it. */
  parent: string;
}

export interface RunContext {
  manifestPath: string;
  /** root: the process the host started, main thread; process: another process of a command run. */
  role: Role;
  /** This thread's stream key (the name of its event file). */
  key: string;
  /** Who started it: a stream key, or null for the root. */
  parent: string | null;
}

/** This thread's place in the run, or null outside a traced run. */
export function findRunContext(): RunContext | null {
  if (!isMainThread) {
    const data = getEnvironmentData(DATA_KEY) as ThreadData | undefined;
    if (!data) return null;
    const role = data.role === 'internal' ? 'internal' : 'worker';
    return { manifestPath: data.manifest, role, key: streamKey(process.pid, threadId), parent: data.parent };
  }
  const manifestPath = process.env[MANIFEST_ENV];
  if (!manifestPath) return null;
  const parent = process.env[PARENT_ENV];
  if (parent === undefined) return { manifestPath: path.resolve(manifestPath), role: 'root', key: ROOT_STREAM, parent: null };
  return { manifestPath: path.resolve(manifestPath), role: 'process', key: streamKey(process.pid, 0), parent };
}

/** The event file of this thread's stream. */
export function streamFile(m: RunManifest, ctx: RunContext): string {
  return ctx.key === ROOT_STREAM ? m.eventsFile : path.join(m.streamsDir, ctx.key);
}

/** Hands the run down to the worker threads this thread starts: they are the program's, `parentKey` their parent. */
export function handDown(ctx: RunContext, parentKey: string): void {
  setEnvironmentData(DATA_KEY, { manifest: ctx.manifestPath, role: 'worker', parent: parentKey } satisfies ThreadData);
}

/** Runs `start`, which creates a thread of the tool's own: that thread's preload leaves it untraced. */
export function asOurThread<T>(ctx: RunContext, start: () => T): T {
  const before = getEnvironmentData(DATA_KEY) as ThreadData | undefined;
  setEnvironmentData(DATA_KEY, { manifest: ctx.manifestPath, role: 'internal', parent: ctx.key } satisfies ThreadData);
  try {
    return start();
  } finally {
    setEnvironmentData(DATA_KEY, before);
  }
}
