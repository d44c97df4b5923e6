/** Splits the runtime's event stream into frames (see src/protocol/events.ts), however the bytes were chunked. */
import { EVENT_BYTES, FRAME_EVENTS, FRAME_HEADER_BYTES, FRAME_JSON, type RuntimeMessage } from '../protocol/events';

export interface FrameSink {
  events(bytes: Uint8Array): void;
  message(msg: RuntimeMessage): void;
}

const KNOWN_MESSAGES = new Set(['start', 'sites', 'truncated', 'error', 'warning', 'stopping', 'end', 'taskinfo', 'settle-error']);

export class FrameDecoder {
  /** Chunks received but not yet made into frames; joined only once a whole frame is there. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes received in total (for the bench's bytes/event). */
  bytes = 0;

  constructor(private readonly sink: FrameSink) {}

  /** Header of the frame being collected (null until its first 5 bytes are in). */
  private head: { len: number; type: number } | null = null;

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    // A frame of 512 KiB arrives as many 64 KiB chunks: wait for all of them before joining,
    // or the cost of joining grows with the square of the frame size.
    for (;;) {
      if (!this.head) {
        if (this.buffered < FRAME_HEADER_BYTES) return;
        const first = this.chunks[0].length >= FRAME_HEADER_BYTES ? this.chunks[0] : this.join();
        this.head = { len: first.readUInt32LE(0), type: first.readUInt8(4) };
      }
      const total = FRAME_HEADER_BYTES + this.head.len;
      if (this.buffered < total) return;
      const buf = this.join();
      this.frame(this.head.type, buf.subarray(FRAME_HEADER_BYTES, total));
      this.head = null;
      const rest = buf.subarray(total);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
  }

  /** All buffered chunks as one buffer (kept as the only chunk, so it is joined once). */
  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0];
  }

  private frame(type: number, body: Buffer): void {
    if (type === FRAME_EVENTS && body.length % EVENT_BYTES === 0) {
      this.sink.events(body);
    } else if (type === FRAME_JSON) {
      let msg: unknown;
      try {
        msg = JSON.parse(body.toString('utf8'));
      } catch {
        return; // a damaged frame is dropped, not fatal
      }
      if (typeof msg === 'object' && msg !== null && KNOWN_MESSAGES.has((msg as { type?: string }).type ?? '')) {
        this.sink.message(msg as RuntimeMessage);
      }
    }
  }
}
