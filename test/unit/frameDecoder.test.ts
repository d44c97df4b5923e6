import assert from 'node:assert/strict';
import { FrameDecoder } from '../../src/runner/frameDecoder';
import { EVENT_BYTES, FRAME_EVENTS, FRAME_HEADER_BYTES, FRAME_JSON, type RuntimeMessage } from '../../src/protocol/events';

function frame(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt8(type, 4);
  return Buffer.concat([head, body]);
}

function eventsBody(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n * EVENT_BYTES);
  for (let i = 0; i < n; i++) {
    b.writeDoubleLE(seed + i, i * EVENT_BYTES);
    b.writeUInt32LE(i, i * EVENT_BYTES + 8);
    b.writeUInt32LE(seed, i * EVENT_BYTES + 12);
  }
  return b;
}

describe('FrameDecoder', () => {
  const start: RuntimeMessage = { type: 'start', pid: 1, epochMs: 5, nodeVersion: 'v20', maxEvents: 10 };
  const stream = Buffer.concat([
    frame(FRAME_JSON, Buffer.from(JSON.stringify(start))),
    frame(FRAME_EVENTS, eventsBody(3, 100)),
    frame(FRAME_JSON, Buffer.from('{not json')), // damaged: dropped
    frame(FRAME_JSON, Buffer.from(JSON.stringify({ type: 'bogus' }))), // unknown: dropped
    frame(FRAME_EVENTS, eventsBody(40_000, 7)), // 640 kB: arrives in many chunks
    frame(FRAME_JSON, Buffer.from(JSON.stringify({ type: 'end', reason: 'exit', code: 0, events: 40_003 }))),
  ]);

  function decode(chunkSizes: () => number) {
    const events: Buffer[] = [];
    const messages: RuntimeMessage[] = [];
    const d = new FrameDecoder({ events: (b) => events.push(Buffer.from(b)), message: (m) => messages.push(m) });
    for (let off = 0; off < stream.length; ) {
      const n = Math.min(stream.length - off, chunkSizes());
      d.push(stream.subarray(off, off + n));
      off += n;
    }
    return { events, messages, bytes: d.bytes };
  }

  it('yields the same frames however the pipe chunks them', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) % 70_000) + 1;
    const whole = decode(() => stream.length);
    for (const sizes of [() => 1, () => 3, () => 65_536, random]) {
      const got = decode(sizes);
      assert.deepEqual(got.messages.map((m) => m.type), ['start', 'end']);
      assert.deepEqual(Buffer.concat(got.events), Buffer.concat(whole.events));
      assert.equal(got.bytes, stream.length);
    }
    assert.equal(Buffer.concat(whole.events).length, 40_003 * EVENT_BYTES);
    assert.deepEqual(whole.messages[0], start);
  });
});
