/** Event records as a runtime writes them (16 bytes, little-endian: f64 t, u32 kind<<28|task, u32 arg). */
import { EVENT_BYTES, type Ev } from '../../../src/protocol/events';

export function records(list: Array<[t: number, kind: Ev, task: number, arg: number]>): Uint8Array {
  const buf = Buffer.alloc(list.length * EVENT_BYTES);
  list.forEach(([t, kind, task, arg], i) => {
    buf.writeDoubleLE(t, i * EVENT_BYTES);
    buf.writeUInt32LE(((kind << 28) | task) >>> 0, i * EVENT_BYTES + 8);
    buf.writeUInt32LE(arg, i * EVENT_BYTES + 12);
  });
  return buf;
}
