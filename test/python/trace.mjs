#!/usr/bin/env node
// Debug harness: runs <python> <script> args… under the Python tracer (the launch contract of
// pyruntime/PROTOCOL.md), then folds the events with the compiled FrameDecoder + TraceBuilder
// (out/src, `npm run compile-tests`) and prints the text timeline (or the raw events with --raw,
// the trace JSON with --json).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { FrameDecoder } = require(path.join(root, 'out/src/runner/frameDecoder.js'));
const { TraceBuilder } = require(path.join(root, 'out/src/core/traceBuilder.js'));
const { renderTextTimeline } = require(path.join(root, 'out/src/core/textTimeline.js'));

const argv = process.argv.slice(2);
const raw = argv.includes('--raw');
const asJson = argv.includes('--json');
const rest = argv.filter((a) => !a.startsWith('--'));
const [python, script, ...args] = rest;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atpy-'));
const manifest = path.join(dir, 'manifest.json');
const eventsFile = path.join(dir, 'events.bin');
const cwd = path.dirname(path.resolve(script));
fs.writeFileSync(manifest, JSON.stringify({ version: 1, eventsFile, stopFile: path.join(dir, 'stop'), maxEvents: 5000000, cwd, userRoots: [cwd], trace: true }));
const env = { ...process.env, ASYNC_TIMELINE_PY_MANIFEST: manifest, PYTHONPATH: path.join(root, 'pyruntime') + (process.env.PYTHONPATH ? path.delimiter + process.env.PYTHONPATH : '') };
const r = spawnSync(python, [path.resolve(script), ...args], { env, cwd, encoding: 'utf8' });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
console.log(`-- exit ${r.status} ${r.signal ?? ''}`);
const builder = new TraceBuilder({ entry: path.basename(script), cwd, language: 'python', startedAt: new Date().toISOString() });
const msgs = [];
const dec = new FrameDecoder({
  events(b) {
    if (raw) {
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let o = 0; o < b.byteLength; o += 16) {
        const h = v.getUint32(o + 8, true);
        console.log(`${v.getFloat64(o, true).toFixed(3).padStart(10)} k${h >>> 28} t${h & 0xfffffff} a${v.getUint32(o + 12, true)}`);
      }
    }
    builder.handleEvents(b);
  },
  message(m) {
    msgs.push(m);
    if (raw) console.log(JSON.stringify(m));
    builder.handleMessage(m);
  },
});
dec.push(fs.readFileSync(eventsFile));
builder.finish({ code: r.status, signal: r.signal, reason: 'exited' }, 0);
const trace = builder.snapshot();
if (asJson) console.log(JSON.stringify(trace, null, 1));
else console.log(renderTextTimeline(trace, { width: 110 }));
console.log('messages:', msgs.map((m) => m.type).join(' '));
