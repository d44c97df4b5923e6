// The host's share of an event: a synthetic stream shaped like program (1) — one task doing
// 1,000,000 awaits (create, then yield/resume pairs, settle) — encoded exactly as the runtime
// ships it (16-byte records in frames of CHUNK events), cut into 64 KiB pieces as a Linux pipe
// delivers them, pushed through the runner's FrameDecoder into a TraceBuilder, then folded into a
// Trace by snapshot(). Prints ns/event for reading the pipe (decoder) and for building the model
// (snapshot), for several frame sizes. Uses the compiled out/ (bench/run.mjs compiles it).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { FrameDecoder } = require(path.join(ROOT, 'out/src/runner/frameDecoder.js'));
const { TraceBuilder } = require(path.join(ROOT, 'out/src/core/traceBuilder.js'));
const { EVENT_BYTES, FRAME_EVENTS, FRAME_HEADER_BYTES } = require(
  path.join(ROOT, 'out/src/protocol/events.js'),
);

const AWAITS = Number(process.env.BENCH_N || 1_000_000);
const PIPE_CHUNK = 64 * 1024;
// Event kinds (src/protocol/events.ts `Ev`, a const enum: not present in the compiled JS).
const CREATE = 1;
const YIELD = 3;
const RESUME = 6;
const SETTLE_OK = 7;

function records() {
  const n = 2 + 2 * AWAITS;
  const buf = Buffer.alloc(n * EVENT_BYTES);
  let i = 0;
  let t = 0;
  const put = (kind, task, arg) => {
    const o = i++ * EVENT_BYTES;
    buf.writeDoubleLE((t += 0.0001), o);
    buf.writeUInt32LE(((kind << 28) | task) >>> 0, o + 8);
    buf.writeUInt32LE(arg, o + 12);
  };
  put(CREATE, 0, 1);
  for (let k = 0; k < AWAITS; k++) {
    put(YIELD, 1, 2);
    put(RESUME, 1, 0);
  }
  put(SETTLE_OK, 1, 0);
  return { buf, n };
}

/** The byte stream as the host receives it: frames of `frameEvents` records, in 64 KiB pieces. */
function stream(buf, n, frameEvents) {
  const frames = [];
  for (let at = 0; at < n; at += frameEvents) {
    const k = Math.min(frameEvents, n - at);
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + k * EVENT_BYTES);
    frame.writeUInt32LE(k * EVENT_BYTES, 0);
    frame.writeUInt8(FRAME_EVENTS, 4);
    buf.copy(frame, FRAME_HEADER_BYTES, at * EVENT_BYTES, (at + k) * EVENT_BYTES);
    frames.push(frame);
  }
  const all = Buffer.concat(frames);
  const pieces = [];
  for (let o = 0; o < all.length; o += PIPE_CHUNK)
    pieces.push(all.subarray(o, Math.min(o + PIPE_CHUNK, all.length)));
  return pieces;
}

const { buf, n } = records();
console.log(`${n} events (1 task x ${AWAITS} awaits), pipe pieces of ${PIPE_CHUNK / 1024} KiB`);
for (const frameEvents of [4096, 32768, 262144]) {
  const pieces = stream(buf, n, frameEvents);
  const builder = new TraceBuilder({
    entry: 'p.mjs',
    cwd: ROOT,
    language: 'javascript',
    startedAt: new Date(0).toISOString(),
  });
  builder.handleMessage({ type: 'start', pid: 1, epochMs: 0, nodeVersion: process.version, maxEvents: n });
  builder.handleMessage({
    type: 'sites',
    file: path.join(ROOT, 'p.mjs'),
    base: 1,
    entries: [
      ['function', 1, 1, 'loop'],
      ['await', 3, 10],
    ],
  });
  const decoder = new FrameDecoder({
    events: (bytes) => builder.handleEvents(bytes),
    message: (m) => builder.handleMessage(m),
  });
  const t0 = performance.now();
  for (const piece of pieces) decoder.push(piece);
  const t1 = performance.now();
  const trace = builder.snapshot();
  const t2 = performance.now();
  const segments = trace.tasks.reduce((s, task) => s + task.segments.length, 0);
  console.log(
    `frames of ${String(frameEvents).padStart(6)} events (${String((frameEvents * EVENT_BYTES) / 1024).padStart(4)} KiB): ` +
      `read pipe ${(((t1 - t0) * 1e6) / n).toFixed(0).padStart(5)} ns/event, build model (snapshot) ${(((t2 - t1) * 1e6) / n).toFixed(0).padStart(5)} ns/event, ` +
      `${trace.eventCount} events -> ${segments} segments`,
  );
}
