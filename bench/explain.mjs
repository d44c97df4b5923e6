// Narration + critical path on a generated trace of about 1,000,000 events, shaped like program
// (2): one loop, main starting 1,000 workers (each runs at once up to its first await, as
// JavaScript does) that then take turns, 500 awaits each, with a 1 ms quiet gap between rounds,
// and main awaiting Promise.all of them. Prints the time of each, the median of 3 after one
// warm-up; goal ≤ 1 s for both together. Never asserts. (The viewer bench's generateBig.mjs trace
// is not used: its running segments overlap, as no single event loop's can.)
// Uses the compiled out/ (bench/run.mjs compiles it when stale).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { narrate } = require(path.join(ROOT, 'out/src/core/narration/index.js'));
const { criticalPath } = require(path.join(ROOT, 'out/src/core/criticalPath/index.js'));

const WORKERS = Number(process.env.BENCH_TASKS || 1000);
const AWAITS = Number(process.env.BENCH_AWAITS || 500);

/** The trace of one loop taking turns: consistent (no two tasks run at once), deterministic. */
function roundRobinTrace() {
  const F = 'bench/fanout.ts';
  const site = (line) => ({ file: F, line, column: 3 });
  const step = 0.001;
  const round = WORKERS * step + 1;
  const workers = [];
  const mainRun = { state: 'running', start: 0, end: WORKERS * step + step };
  for (let i = 0; i < WORKERS; i++) {
    const id = i + 2;
    const segments = [{ state: 'running', start: i * step, end: i * step + step / 2 }];
    let t = segments[0].end;
    for (let k = 1; k <= AWAITS; k++) {
      const resume = k * round + i * step;
      segments.push({ state: 'suspended', start: t, end: resume, site: site(9), kind: 'await', awaits: [] });
      segments.push({ state: 'running', start: resume, end: resume + step / 2 });
      t = resume + step / 2;
    }
    workers.push({
      id,
      name: 'worker',
      kind: 'function',
      parentId: 1,
      definition: site(5),
      created: { t: i * step, site: site(14) },
      settled: { t, state: 'fulfilled' },
      segments,
    });
  }
  const last = workers[workers.length - 1].settled.t;
  const main = {
    id: 1,
    name: 'main',
    kind: 'function',
    parentId: null,
    definition: site(12),
    created: { t: 0, site: site(20) },
    settled: { t: last + 0.01, state: 'fulfilled' },
    segments: [
      mainRun,
      {
        state: 'suspended',
        start: mainRun.end,
        end: last + step,
        site: site(16),
        kind: 'await',
        awaits: workers.map((w) => w.id),
        combinator: 'all',
        resumedBy: workers[workers.length - 1].id,
      },
      { state: 'running', start: last + step, end: last + 0.01 },
    ],
  };
  const tasks = [main, ...workers];
  return {
    format: 'async-timeline-trace',
    version: 1,
    language: 'typescript',
    entry: F,
    cwd: ROOT,
    startedAt: new Date(0).toISOString(),
    durationMs: last + 1,
    exit: { code: 0, signal: null, reason: 'exited' },
    truncated: false,
    eventCount: tasks.reduce((n, t) => n + t.segments.length + 1, 0),
    tasks,
    callbacks: [],
    output: [],
  };
}

const trace = roundRobinTrace();
const segments = trace.tasks.reduce((n, t) => n + t.segments.length, 0);

function time(fn) {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

narrate(trace);
criticalPath(trace);
const n = [];
const c = [];
let steps = 0;
let pathLength = 0;
for (let i = 0; i < 3; i++) {
  const a = time(() => narrate(trace));
  const b = time(() => criticalPath(trace));
  n.push(a.ms);
  c.push(b.ms);
  steps = a.value.length;
  pathLength = b.value.length;
}
const total = median(n) + median(c);
console.log(
  `${trace.eventCount.toLocaleString('en')} events, ${segments.toLocaleString('en')} segments: ` +
    `narration ${median(n).toFixed(0)} ms (${steps.toLocaleString('en')} steps after folding), ` +
    `critical path ${median(c).toFixed(0)} ms (${pathLength} stretches) — ` +
    `${total.toFixed(0)} ms together, goal ≤ 1000 ms: ${total <= 1000 ? 'ok' : 'NO'}`,
);
