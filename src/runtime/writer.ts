/**
 * The writer thread, one per traced process: wakes every few milliseconds (or when the main thread's
 * ring fills up), ships new events of every thread of the process to the host, and watches for the
 * host's stop request. Running on its own thread is what keeps the trace complete when a thread of the
 * program hangs in a loop that never yields.
 *
 * Worker threads of the program announce their ring on a BroadcastChannel (the only way a thread can
 * reach another that it did not start). One writer per process, not one per thread: a worker that is
 * terminated takes its own child threads down with it at once, but its ring lives on here, so the
 * events it recorded up to its end are still shipped. The loop waits with Atomics.waitAsync so the
 * channel's messages get delivered between rounds.
 */
import fs from 'node:fs';
import { BroadcastChannel, workerData } from 'node:worker_threads';
import { Ctl } from './tracer';
import { drain, lock, unlock } from './shipper';
import { jsonFrame, writeAll } from './frames';

/** A thread's ring, control words and event file (its descriptor in the announcing thread, and its path). */
export interface StreamPort {
  ring: SharedArrayBuffer;
  ctlBuffer: SharedArrayBuffer;
  fd: number;
  file: string;
}

export interface WriterData extends StreamPort {
  stopFile: string;
  intervalMs: number;
  /** The BroadcastChannel the process's worker threads announce their rings on. */
  channel: string;
}

/** Atomics.waitAsync (ES2024; Node has it since 16), typed here as this project's lib does not know it. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      i: number,
      v: number,
      ms: number,
    ): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** How long a round waits for a thread's lock (held briefly while that thread writes a JSON frame). */
const LOCK_MS = 100;

interface Served {
  ring: SharedArrayBuffer;
  ctl: Int32Array;
  fd: number;
  stopReported: boolean;
}

const data = workerData as WriterData;
const main: Served = {
  ring: data.ring,
  ctl: new Int32Array(data.ctlBuffer),
  fd: data.fd,
  stopReported: false,
};
let served: Served[] = [main];
const channel = new BroadcastChannel(data.channel);
channel.onmessage = (event: unknown) => {
  const port = (event as { data: StreamPort }).data;
  // Our own descriptor for a worker's file, not the worker's: Node closes the descriptors a worker opened
  // when it ends (trackUnmanagedFds), and a terminated worker's last events are shipped after that. Both
  // append, and the lock word keeps their frames apart.
  let fd: number;
  try {
    fd = fs.openSync(port.file, 'a');
  } catch {
    return; // the host is gone
  }
  served.push({ ring: port.ring, ctl: new Int32Array(port.ctlBuffer), fd, stopReported: false });
};

/** Ships one thread's new events (and the stop acknowledgement); false once it is gone for good. */
function ship(s: Served, stopping: boolean): { alive: boolean; shipped: number } {
  if (Atomics.load(s.ctl, Ctl.Ended) === 1) return { alive: false, shipped: 0 };
  if (!lock(s.ctl, LOCK_MS)) return { alive: true, shipped: 0 };
  try {
    const shipped = drain(s.ring, s.ctl, s.fd);
    if (stopping && !s.stopReported) {
      s.stopReported = true;
      writeAll(s.fd, jsonFrame({ type: 'stopping', events: Atomics.load(s.ctl, Ctl.Write) }));
    }
    return { alive: true, shipped };
  } catch {
    // The host went away: nothing left to ship to.
    return { alive: false, shipped: 0 };
  } finally {
    unlock(s.ctl);
  }
}

Atomics.store(main.ctl, Ctl.Ready, 1);
Atomics.notify(main.ctl, Ctl.Ready);

void (async () => {
  let busy = false;
  for (;;) {
    // While events pour in, come back at once (the ring must not fill up); when idle, every intervalMs.
    // Either way the event loop turns, so announcements of new threads arrive.
    const wait = waitAsync(main.ctl, Ctl.Wake, 0, busy ? 0 : data.intervalMs);
    if (wait.async) await wait.value;
    else await new Promise<void>((resolve) => setImmediate(resolve));
    Atomics.store(main.ctl, Ctl.Wake, 0);
    // Read before shipping: a flush asked for while this round ships (the main thread exiting right after a
    // worker's last events) is answered by the next round, which ships those events too.
    const flushAsked = Atomics.load(main.ctl, Ctl.Flush) === 1;
    const stopping = fs.existsSync(data.stopFile);
    let shipped = 0;
    served = served.filter((s) => {
      const r = ship(s, stopping);
      shipped += r.shipped;
      return r.alive || s === main;
    });
    busy = shipped > 1024;
    // The main thread is exiting and asked for everything to be shipped (worker threads die with it).
    if (flushAsked) {
      Atomics.store(main.ctl, Ctl.Flush, 0);
      Atomics.notify(main.ctl, Ctl.Flush);
    }
  }
})();
