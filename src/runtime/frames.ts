/** Writing frames to the event file (see src/protocol/events.ts for the layout). */
import fs from 'node:fs';
import { FRAME_HEADER_BYTES, FRAME_JSON } from '../protocol/events';

/** Writes all of `buf` to `fd`, retrying on EAGAIN (should `fd` ever be non-blocking). */
export function writeAll(fd: number, buf: Uint8Array): void {
  let off = 0;
  const spin = new Int32Array(new SharedArrayBuffer(4));
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (err: any) {
      if (err && err.code === 'EAGAIN') Atomics.wait(spin, 0, 0, 1);
      else throw err;
    }
  }
}

export function jsonFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt8(FRAME_JSON, 4);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}
