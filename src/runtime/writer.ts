/**
 * The writer thread: wakes every few milliseconds (or when the ring fills up), ships new events
 * to the host, and watches for the host's stop request. Running on its own thread is what keeps
 * the trace complete when the program's thread hangs in a loop that never yields.
 */
import fs from 'node:fs';
import { workerData } from 'node:worker_threads';
import { Ctl } from './tracer';
import { drain, lock, unlock } from './shipper';
import { jsonFrame, writeAll } from './frames';

const { ring, ctlBuffer, fd, stopFile, intervalMs } = workerData as {
  ring: SharedArrayBuffer;
  ctlBuffer: SharedArrayBuffer;
  fd: number;
  stopFile: string;
  intervalMs: number;
};
const ctl = new Int32Array(ctlBuffer);
let stopReported = false;

Atomics.store(ctl, Ctl.Ready, 1);
Atomics.notify(ctl, Ctl.Ready);

let busy = false;
for (;;) {
  // While events pour in, come back at once (the ring must not fill up); when idle, every intervalMs.
  if (!busy) Atomics.wait(ctl, Ctl.Wake, 0, intervalMs);
  Atomics.store(ctl, Ctl.Wake, 0);
  if (!lock(ctl, 1000)) continue;
  try {
    busy = drain(ring, ctl, fd) > 1024;
    if (!stopReported && fs.existsSync(stopFile)) {
      stopReported = true;
      writeAll(fd, jsonFrame({ type: 'stopping', events: Atomics.load(ctl, Ctl.Write) }));
    }
  } catch {
    // The host went away (EPIPE): nothing left to ship to.
    unlock(ctl);
    break;
  }
  unlock(ctl);
}
