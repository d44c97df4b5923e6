/** Splits the runtime's pipe into frames (see src/protocol/events.ts), however the bytes were chunked. */
import { EVENT_BYTES, FRAME_EVENTS, FRAME_HEADER_BYTES, FRAME_JSON, type RuntimeMessage } from '../protocol/events';

export interface FrameSink {
  events(bytes: Uint8Array): void;
  message(msg: RuntimeMessage): void;
}

const KNOWN_MESSAGES = new Set(['start', 'sites', 'truncated', 'error', 'stopping', 'end']);

export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes received in total (for the bench's bytes/event). */
  bytes = 0;

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= FRAME_HEADER_BYTES) {
      const len = buf.readUInt32LE(off);
      const type = buf.readUInt8(off + 4);
      if (buf.length - off - FRAME_HEADER_BYTES < len) break;
      const body = buf.subarray(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len);
      off += FRAME_HEADER_BYTES + len;
      if (type === FRAME_EVENTS && len % EVENT_BYTES === 0) {
        this.sink.events(body);
      } else if (type === FRAME_JSON) {
        let msg: unknown;
        try {
          msg = JSON.parse(body.toString('utf8'));
        } catch {
          continue; // a damaged frame is dropped, not fatal
        }
        if (typeof msg === 'object' && msg !== null && KNOWN_MESSAGES.has((msg as { type?: string }).type ?? '')) {
          this.sink.message(msg as RuntimeMessage);
        }
      }
    }
    buf = buf.subarray(off);
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }
}
