/**
 * Moves events from the shared ring to the event file. Used by the writer thread (every few ms, even
 * while the program's own thread is stuck in a loop) and by the main thread once, at exit.
 * Only the holder of the lock word may write frames, so frames never interleave.
 */
import { EVENT_BYTES, FRAME_EVENTS, FRAME_HEADER_BYTES } from '../protocol/events';
import { Ctl } from './tracer';
import { writeAll } from './frames';

const CHUNK_EVENTS = 1 << 15;

export function tryLock(ctl: Int32Array): boolean {
  return Atomics.compareExchange(ctl, Ctl.Lock, 0, 1) === 0;
}

/** Waits for the lock at most `ms` milliseconds. */
export function lock(ctl: Int32Array, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (!tryLock(ctl)) {
    if (Date.now() > deadline) return false;
    Atomics.wait(ctl, Ctl.Lock, 1, 5);
  }
  return true;
}

export function unlock(ctl: Int32Array): void {
  Atomics.store(ctl, Ctl.Lock, 0);
  Atomics.notify(ctl, Ctl.Lock);
}

/** Ships every published event not yet shipped. Caller holds the lock. Returns how many. */
export function drain(ring: SharedArrayBuffer, ctl: Int32Array, fd: number): number {
  const ringEvents = ring.byteLength / EVENT_BYTES;
  const bytes = new Uint8Array(ring);
  let shipped = 0;
  for (;;) {
    const w = Atomics.load(ctl, Ctl.Write);
    let r = Atomics.load(ctl, Ctl.Read);
    if (w === r) return shipped;
    const n = Math.min(w - r, CHUNK_EVENTS);
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + n * EVENT_BYTES);
    frame.writeUInt32LE(n * EVENT_BYTES, 0);
    frame.writeUInt8(FRAME_EVENTS, 4);
    let out = FRAME_HEADER_BYTES;
    let left = n;
    while (left > 0) {
      const slot = r % ringEvents;
      const run = Math.min(left, ringEvents - slot);
      frame.set(bytes.subarray(slot * EVENT_BYTES, (slot + run) * EVENT_BYTES), out);
      out += run * EVENT_BYTES;
      r += run;
      left -= run;
    }
    writeAll(fd, frame);
    Atomics.store(ctl, Ctl.Read, r);
    Atomics.notify(ctl, Ctl.Read);
    shipped += n;
  }
}
