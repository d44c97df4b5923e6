/**
 * One thread's event stream: its shared ring, its control words and its own event file, the tracer
 * recording into them, and the goodbye at exit. The main thread of each process also starts the
 * process's writer thread; a worker thread announces its ring to that writer instead (writer.ts).
 */
import fs from 'node:fs';
import { BroadcastChannel, threadId, Worker } from 'node:worker_threads';
import { EVENT_BYTES } from '../protocol/events';
import { createTracer, Ctl, type TracerApi } from './tracer';
import { jsonFrame, writeAll } from './frames';
import { drain, lock } from './shipper';
import type { RunManifest } from './manifest';
import { asOurThread, streamFile, type RunContext } from './runContext';
import type { StreamPort, WriterData } from './writer';

/** What the start frame says about the thread, learned once its code starts (a worker's file is known only then). */
export interface ThreadFacts {
  entry(): string | undefined;
  /** Processes of a command run: their command line. */
  argv?(): string[];
  /** Said once, when the stream opens: what the user should hear of (the run goes on). */
  warnings?: string[];
  /** Said at exit, before the goodbye (what only the end of the program shows). */
  warningsAtExit?(): string[];
}

/** Worker threads get a smaller ring than a process's main thread: there may be many of them. */
const WORKER_RING_EVENTS = 1 << 16;

/** The channel a process's worker threads announce their rings on (one per run and process). */
function channelOf(ctx: RunContext): string {
  return `async-timeline:${ctx.manifestPath}:${process.pid}`;
}

/**
 * Opens this thread's stream and returns its tracer. `onStart` runs when the program's own code first
 * runs on this thread (after its start frame is written).
 */
export function openStream(
  m: RunManifest,
  ctx: RunContext,
  facts: ThreadFacts,
  hideThread: <T>(start: () => T) => T,
  onStart: () => void,
): TracerApi {
  const isWorker = ctx.role === 'worker';
  const ringEvents = isWorker ? Math.min(WORKER_RING_EVENTS, m.ringEvents) : m.ringEvents;
  const ring = new SharedArrayBuffer(ringEvents * EVENT_BYTES);
  const ctlBuffer = new SharedArrayBuffer(Ctl.Size * 4);
  const ctl = new Int32Array(ctlBuffer);
  // Appending to a file never waits for the host (a pipe would, and the ring would fill behind it).
  const file = streamFile(m, ctx);
  const fd = fs.openSync(file, 'a');
  let closed = false;
  /** performance.now() at this thread's t = 0 (-1 until its code starts). */
  let origin = -1;
  // A worker shares its process's time origin: its own start is now (its preload runs first thing).
  const threadStart = performance.timeOrigin + (isWorker ? performance.now() : 0);

  /** A JSON frame from this thread: take the lock so frames never interleave with the writer's. */
  const send = (message: unknown) => {
    if (closed) return;
    if (!lock(ctl, 2000)) return;
    try {
      writeAll(fd, jsonFrame(message));
    } catch {
      // host gone
    }
    Atomics.store(ctl, Ctl.Lock, 0);
    Atomics.notify(ctl, Ctl.Lock);
  };

  const tracer = createTracer(ring, ctl, m.maxEvents, {
    started: (at) => {
      origin = at;
      send({
        type: 'start',
        pid: process.pid,
        epochMs: performance.timeOrigin + at,
        nodeVersion: process.version,
        maxEvents: m.maxEvents,
        threadId,
        kind:
          ctx.role === 'root'
            ? m.command
              ? 'process'
              : 'main'
            : ctx.role === 'worker'
              ? 'worker'
              : 'process',
        parent: ctx.parent,
        ...(facts.entry() ? { entry: facts.entry() } : {}),
        ...(facts.argv ? { argv: facts.argv() } : {}),
        threadEpochMs: threadStart,
      });
      onStart();
    },
    sites: (file, base, entries) => send({ type: 'sites', file, base, entries }),
    waitForRoom: () => {
      // The ring is full: wake the writer and wait for it (bounded: a dead host must not hang us).
      const deadline = Date.now() + 10_000;
      while (
        Atomics.load(ctl, Ctl.Write) - Atomics.load(ctl, Ctl.Read) >= ringEvents &&
        Date.now() < deadline
      ) {
        Atomics.store(ctl, Ctl.Wake, 1);
        Atomics.notify(ctl, Ctl.Wake);
        Atomics.wait(ctl, Ctl.Read, Atomics.load(ctl, Ctl.Read), 20);
      }
    },
    truncated: (atEvent) => send({ type: 'truncated', atEvent }),
  });

  for (const message of facts.warnings ?? []) send({ type: 'warning', message });

  const port: StreamPort = { ring, ctlBuffer, fd, file };
  if (isWorker) {
    // Announce the ring to the process's writer thread; the channel must not keep this thread alive.
    const announce = new BroadcastChannel(channelOf(ctx));
    announce.postMessage(port);
    announce.close();
  } else {
    const writerData: WriterData = { ...port, stopFile: m.stopFile, intervalMs: 10, channel: channelOf(ctx) };
    const writer = hideThread(() =>
      asOurThread(
        ctx,
        () =>
          new Worker(m.writerModule, {
            workerData: writerData,
            execArgv: [],
            stdin: false,
            stdout: true,
            stderr: true,
          }),
      ),
    );
    writer.unref();
    // A thread's start-up costs a few tens of ms of CPU; had the program started meanwhile, the two would compete
    // and its first timers would fire late. Wait until the writer runs (bounded, should it never come up).
    Atomics.wait(ctl, Ctl.Ready, 0, 5000);
  }

  // Crashes: the monitor sees uncaught exceptions and (as Node turns them into exceptions)
  // unhandled rejections, without changing what Node does with them.
  process.on('uncaughtExceptionMonitor', (err: any, origin) => {
    // A program with its own 'uncaughtException' listener handles the error itself: not a crash.
    if (process.listenerCount('uncaughtException') > 0) return;
    send({
      type: 'error',
      kind: origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException',
      message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? String(err.stack) : String(err),
    });
  });

  // At exit (normal end, process.exit, crash; a terminated worker gets no 'exit': its events are
  // shipped by the writer, which keeps its ring): ship what is left, say goodbye, keep the file ours.
  process.on('exit', (code) => {
    if (!isWorker) {
      // Worker threads die with the process: have the writer ship their rings first (bounded).
      Atomics.store(ctl, Ctl.Flush, 1);
      Atomics.store(ctl, Ctl.Wake, 1);
      Atomics.notify(ctl, Ctl.Wake);
      Atomics.wait(ctl, Ctl.Flush, 1, 500);
    }
    if (!lock(ctl, 2000)) return;
    try {
      for (const message of facts.warningsAtExit?.() ?? [])
        writeAll(fd, jsonFrame({ type: 'warning', message }));
      drain(ring, ctl, fd);
      writeAll(
        fd,
        jsonFrame({
          type: 'end',
          reason: 'exit',
          code,
          events: Atomics.load(ctl, Ctl.Write),
          ...(origin >= 0 ? { t: performance.now() - origin } : {}),
        }),
      );
    } catch {
      // host gone
    }
    closed = true; // never unlock: the writer thread must not write after the goodbye
    Atomics.store(ctl, Ctl.Ended, 1);
  });
  return tracer;
}
