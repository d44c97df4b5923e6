// `npm run bench`: what tracing costs, measured in one run and printed — never asserted.
//
// Every program runs in up to four modes, interleaved and repeated (median of BENCH_REPEAT, 3 by
// default):
//   raw      `node program.mjs`, spawned directly (JavaScript programs only): the reference.
//   plain    the runner with instrument: false — the SAME transpiled program, no tracing hooks.
//   traced   the runner with instrument: true — our instrumentation, events shipped to the host.
//   peer     plain + an async_hooks tracer preloaded with --require (bench/peer/asyncHooksTracer.cjs).
// Ratios are traced/plain and peer/plain of the program's own work time, which each program
// measures with performance.now() and prints as one JSON line; "run wall" is the host's view
// (startRun → done: instrumenting, spawning, decoding, building the trace).
// See bench/README.md for what each number means.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT || 3));
/** BENCH_QUICK=1 shrinks every workload 10x (for developing the bench, not for numbers). */
const QUICK = process.env.BENCH_QUICK === '1';
const PEER = path.join(BENCH, 'peer', 'asyncHooksTracer.cjs');
const only = process.argv.slice(2);
/** The Python part runs after the Node programs when nothing is selected, or alone with `python`. */
const PYTHON_ONLY = only.length > 0 && only.every((a) => a === 'python');

const q = (n) => String(QUICK ? Math.max(1, Math.round(n / 10)) : n);
const programs = [
  {
    id: '1',
    name: '1M sequential awaits',
    file: 'seqAwaits.mjs',
    env: { BENCH_N: q(1_000_000) },
    target: 2.0,
    metric: 'work',
    floor: true,
  },
  {
    id: '2',
    name: '1k tasks x 1k awaits, Promise.all',
    file: 'fanout.mjs',
    env: { BENCH_TASKS: q(1000), BENCH_AWAITS: '1000' },
    target: 2.0,
    metric: 'work',
    floor: true,
  },
  {
    id: '3',
    name: '100k tasks each awaiting a timer',
    file: 'timers.mjs',
    env: { BENCH_TASKS: q(100_000) },
    target: 1.2,
    metric: 'work',
  },
  {
    id: '4a',
    name: 'seed workers (10 ms scale, ideal 20 ms)',
    file: 'workers.ts',
    env: { BENCH_SCALE_MS: '10' },
    target: 1.02,
    metric: 'wall',
  },
  {
    id: '4b',
    name: 'seed crawl (10 ms scale, ideal 40 ms)',
    file: 'crawl.ts',
    env: { BENCH_SCALE_MS: '10' },
    target: 1.02,
    metric: 'wall',
  },
].filter((p) => only.length === 0 || only.includes(p.id));

// ---------------------------------------------------------------------------------------------
// Python (bench/python/run.py --json): plain vs traced vs floor on every CPython >= 3.11 found.

/** Interpreters to measure: BENCH_PYTHONS (':'-separated paths), else python3.11+ under
 * `pyenv root`/versions and on PATH (pyenv shims are skipped: they may resolve to nothing),
 * one per minor version. */
function findPythons() {
  const candidates = [];
  if (process.env.BENCH_PYTHONS) candidates.push(...process.env.BENCH_PYTHONS.split(':').filter(Boolean));
  else {
    let pyenvRoot = process.env.PYENV_ROOT;
    if (!pyenvRoot) {
      try {
        pyenvRoot = execFileSync('pyenv', ['root'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
      } catch {
        pyenvRoot = null;
      }
    }
    if (pyenvRoot && fs.existsSync(path.join(pyenvRoot, 'versions'))) {
      for (const v of fs.readdirSync(path.join(pyenvRoot, 'versions')).sort()) {
        const m = /^3\.(\d+)\.\d+$/.exec(v);
        if (m && Number(m[1]) >= 11)
          candidates.push(path.join(pyenvRoot, 'versions', v, 'bin', `python3.${m[1]}`));
      }
    }
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (!dir || dir.includes('shims')) continue;
      for (let minor = 11; minor <= 15; minor++) candidates.push(path.join(dir, `python3.${minor}`));
    }
  }
  const byMinor = new Map();
  for (const exe of candidates) {
    if (!fs.existsSync(exe)) continue;
    try {
      const ver = execFileSync(exe, ['-c', 'import sys;print(*sys.version_info[:3])'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .trim()
        .split(' ')
        .map(Number);
      const minor = `${ver[0]}.${ver[1]}`;
      if (ver[0] === 3 && ver[1] >= 11 && !byMinor.has(minor)) byMinor.set(minor, exe);
    } catch {
      // not runnable
    }
  }
  return [...byMinor.entries()]
    .sort(([a], [b]) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .map(([, e]) => e);
}

function runPythonBench(pythons) {
  return new Promise((resolve) => {
    const args = [
      path.join(BENCH, 'python', 'run.py'),
      '--json',
      '-n',
      String(REPEAT),
      ...(QUICK ? ['--quick'] : []),
      ...pythons,
    ];
    // run.py itself runs on the first interpreter found; it only spawns and times the others.
    const child = spawn(pythons[0], args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const rows = [];
    let buf = '';
    let err = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('{')) rows.push(JSON.parse(line));
      }
    });
    child.stderr.on('data', (d) => {
      process.stdout.write(d);
      err += d;
    });
    child.on('close', (code) =>
      resolve({ rows, error: code === 0 ? null : `run.py exited ${code}: ${err.slice(-300)}` }),
    );
  });
}

async function pythonPart() {
  const pythons = findPythons();
  console.log(
    `\nPython tracer (bench/python/run.py): plain vs traced, best of ${REPEAT} (seeds: of ${Math.max(REPEAT, 5)}), interleaved, ` +
      `load ${os.loadavg()[0].toFixed(2)}${QUICK ? ', QUICK (workloads / 10)' : ''}`,
  );
  if (pythons.length === 0) {
    console.log('no CPython >= 3.11 found (set BENCH_PYTHONS=/path/to/python3.12:...)');
    return;
  }
  console.log(`interpreters: ${pythons.join(', ')}\n`);
  const { rows, error } = await runPythonBench(pythons);
  console.log(
    "\nwork: the program's own perf_counter time (seq, fan: the awaiting part; seeds: main() start to end).",
  );
  console.log(
    'floor: the same program under a no-op hook (3.12+: sys.monitoring, DISABLE outside the program; 3.11: setprofile).\n',
  );
  table(
    [
      'python',
      'program',
      'plain ms',
      'traced ms',
      'traced/plain',
      'target',
      'within',
      'floor ms',
      'floor/plain',
      'CPU traced/plain',
      'event MiB',
    ],
    rows.map((r) => {
      const rt = ratio(r.traced, r.plain);
      return [
        `${r.version} ${r.backend === 'setprofile' ? '(setprofile)' : '(monitoring)'}`,
        r.name,
        ms(r.plain),
        ms(r.traced),
        `${fmt(rt, 2)}x`,
        `<= ${r.target}x`,
        Number.isFinite(rt) ? (rt <= r.target ? 'yes' : 'NO') : '-',
        r.floor != null ? ms(r.floor) : '-',
        r.floor != null ? `${fmt(ratio(r.floor, r.plain), 2)}x` : '-',
        r.plainCpu != null && r.tracedCpu != null ? `${fmt(ratio(r.tracedCpu, r.plainCpu), 2)}x` : '-',
        fmt(r.eventBytes / 1048576, 2),
      ];
    }),
  );
  for (const r of rows)
    for (const [mode, msg] of Object.entries(r.errors)) console.log(`! ${r.version} ${r.id} ${mode}: ${msg}`);
  if (error) console.log(`! ${error}`);
}

// ---------------------------------------------------------------------------------------------
// The runner, as compiled by `npm run compile-tests` (out/). Recompiled here when stale so the
// bench always measures the current source.

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function loadRunner() {
  const compiled = path.join(ROOT, 'out', 'src', 'runner', 'run.js');
  if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < newestMtime(path.join(ROOT, 'src'))) {
    console.log('compiling src/ to out/ (npm run compile-tests) ...');
    execFileSync('npm', ['run', '--silent', 'compile-tests'], { cwd: ROOT, stdio: 'inherit' });
  }
  return {
    startRun: require(compiled).startRun,
    eventBytes: require(path.join(ROOT, 'out', 'src', 'protocol', 'events.js')).EVENT_BYTES,
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring one run.

/** Peak resident set of a process: VmHWM from /proc, sampled every 10 ms while it runs (KiB). */
function rssSampler(pid) {
  let peak = 0;
  const read = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // gone
    }
  };
  read();
  const timer = setInterval(read, 10);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

function parseResult(stdout, label) {
  const line = stdout.split('\n').find((l) => l.startsWith('{"bench"'));
  if (!line) throw new Error(`${label}: no result line in output: ${stdout.slice(0, 300)}`);
  const r = JSON.parse(line);
  if (!r.check) throw new Error(`${label}: the program computed a wrong result`);
  return r;
}

/** `node file` directly, no runner. */
function runRaw(program, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(BENCH, 'programs', program.file)], {
      cwd: BENCH,
      env: { ...process.env, ...program.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stopRss = rssSampler(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const rss = stopRss();
      if (code !== 0) return reject(new Error(`raw exited ${code}: ${stderr.slice(0, 300)}`));
      resolve({ work: parseResult(stdout, 'raw').ms, wall: performance.now() - started, rss });
    });
  });
}

/** Through the runner: plain, traced, or plain + the async_hooks peer. */
async function runRunner(startRun, program, mode) {
  const env = { ...program.env };
  let report = null;
  if (mode === 'peer') {
    report = path.join(os.tmpdir(), `atl-peer-${process.pid}-${Date.now()}.json`);
    env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${PEER}`.trim();
    env.PEER_REPORT = report;
  }
  let stdout = '';
  let stderr = '';
  const started = performance.now();
  const handle = await startRun(
    {
      entry: path.join(BENCH, 'programs', program.file),
      cwd: BENCH,
      instrument: mode === 'traced',
      env,
      maxEvents: 50_000_000,
    },
    { onStdout: (t) => (stdout += t), onStderr: (t) => (stderr += t) },
  );
  const stopRss = rssSampler(handle.pid);
  const { trace, exit } = await handle.done;
  const wall = performance.now() - started;
  const rss = stopRss();
  if (exit.code !== 0) throw new Error(`${mode} exited ${exit.code}: ${stderr.slice(0, 300)}`);
  const out = {
    work: parseResult(stdout, mode).ms,
    wall,
    rss,
    events: trace.eventCount,
    bytes: handle.eventBytes,
    truncated: trace.truncated,
  };
  if (report) {
    try {
      out.peerEvents = JSON.parse(fs.readFileSync(report, 'utf8')).events;
      fs.rmSync(report, { force: true });
    } catch {
      out.peerEvents = null;
    }
  }
  return out;
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Formatting.

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const ms = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');
const mib = (kib) => (Number.isFinite(kib) && kib > 0 ? (kib / 1024).toFixed(0) : '-');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

function runScript(args, label) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('close', (code) => resolve(code === 0 ? text : `${text}\n(${label} exited ${code})`));
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  console.log(
    `Async Timeline bench — node ${process.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ` +
      `median of ${REPEAT}${QUICK ? ', QUICK (workloads / 10)' : ''}, ${new Date().toISOString()}`,
  );
  if (PYTHON_ONLY) {
    await pythonPart();
    return;
  }
  const { startRun, eventBytes } = loadRunner();
  const results = [];
  for (const program of programs) {
    const modes = program.file.endsWith('.ts')
      ? ['plain', 'traced', 'peer']
      : ['raw', 'plain', 'traced', 'peer', ...(program.floor ? ['floor'] : [])];
    const samples = Object.fromEntries(modes.map((m) => [m, []]));
    const errors = {};
    process.stdout.write(`(${program.id}) ${program.name}:`);
    // The seed programs are short and timer-bound: more repeats for a stable median.
    const repeat = program.metric === 'wall' ? Math.max(REPEAT, 5) : REPEAT;
    for (let i = 0; i < repeat; i++) {
      for (const mode of modes) {
        if (errors[mode]) continue;
        try {
          samples[mode].push(
            mode === 'raw'
              ? await runRaw(program)
              : mode === 'floor'
                ? await runRaw(program, { BENCH_FLOOR: '1' })
                : await runRunner(startRun, program, mode),
          );
          process.stdout.write(` ${mode}`);
        } catch (e) {
          errors[mode] = e.message;
          process.stdout.write(` ${mode}:ERROR`);
        }
      }
    }
    process.stdout.write('\n');
    const med = (mode, key) => median((samples[mode] ?? []).map((s) => s[key]));
    results.push({ program, samples, errors, med });
  }

  console.log(
    "\nInstrumented (traced) vs plain: the program's own time (work: performance.now() inside the program;",
  );
  console.log(
    'seed rows: main() start → done, i.e. its wall time). Peer = async_hooks tracer on the plain run.\n',
  );
  const rows = results.map(({ program, med }) => {
    const traced = ratio(med('traced', 'work'), med('plain', 'work'));
    return [
      `(${program.id}) ${program.name}`,
      ms(med('raw', 'work')),
      ms(med('plain', 'work')),
      ms(med('traced', 'work')),
      `${fmt(traced, 2)}x`,
      `<= ${program.target}x`,
      Number.isFinite(traced) ? (traced <= program.target ? 'yes' : 'NO') : '-',
      ms(med('peer', 'work')),
      `${fmt(ratio(med('peer', 'work'), med('plain', 'work')), 2)}x`,
      program.floor ? `${fmt(ratio(med('floor', 'work'), med('raw', 'work')), 2)}x` : '-',
    ];
  });
  table(
    [
      'program',
      'raw ms',
      'plain ms',
      'traced ms',
      'traced/plain',
      'target',
      'within',
      'peer ms',
      'peer/plain',
      'floor/raw',
    ],
    rows,
  );
  console.log(
    '\nfloor/raw: the same program with nothing but performance.now() into a Float64Array before and after',
  );
  console.log(
    'each await, run with node directly: what two timestamps per await cost on this machine, for any tracer.',
  );

  console.log(
    '\nEvents in the trace, added cost per event ((traced - plain) / events), bytes per event: buffered (the',
  );
  console.log(
    'record size) and received (every byte of the event file the host read, frame headers and site tables',
  );
  console.log(
    'included, / events), whole-run wall (startRun → done) and peak RSS of the child (VmHWM, MiB).\n',
  );
  const rows2 = results.map(({ program, med }) => {
    const events = med('traced', 'events');
    // Added cost per event only means something where events dominate (not the timer-bound seeds).
    const added =
      program.metric === 'work' ? ((med('traced', 'work') - med('plain', 'work')) * 1e6) / events : NaN;
    const bytes = med('traced', 'bytes') / events;
    return [
      `(${program.id})`,
      Number.isFinite(events) ? String(events) : '-',
      fmt(added, 0),
      String(eventBytes),
      eventBytes <= 16 ? 'yes' : 'NO',
      `${fmt(bytes, 2)}`,
      ms(med('plain', 'wall')),
      ms(med('traced', 'wall')),
      `${fmt(ratio(med('traced', 'wall'), med('plain', 'wall')), 2)}x`,
      mib(med('raw', 'rss')),
      mib(med('plain', 'rss')),
      mib(med('traced', 'rss')),
      mib(med('peer', 'rss')),
      Number.isFinite(med('peer', 'peerEvents')) ? String(med('peer', 'peerEvents')) : '-',
    ];
  });
  table(
    [
      'prog',
      'events',
      'added ns/event',
      'buffered B/ev',
      '<=16',
      'received B/ev',
      'plain run ms',
      'traced run ms',
      'run ratio',
      'raw RSS',
      'plain RSS',
      'traced RSS',
      'peer RSS',
      'peer events',
    ],
    rows2,
  );
  const problems = results.flatMap(({ program, errors, med }) => [
    ...Object.entries(errors).map(([mode, msg]) => `(${program.id}) ${mode}: ${msg}`),
    ...(med('traced', 'truncated') ? [`(${program.id}) traced run was truncated (event cap)`] : []),
  ]);
  for (const p of problems) console.log(`! ${p}`);

  if (only.length === 0 || only.includes('instrument')) {
    console.log('\nInstrumentation speed (generated 10,000-line TypeScript file, separate process):\n');
    console.log(
      (await runScript([path.join(BENCH, 'instrumentSpeed.mjs')], 'instrumentSpeed.mjs')).trimEnd(),
    );
  }

  if (only.length === 0 || only.includes('host')) {
    console.log(
      '\nHost side of an event (synthetic stream shaped like (1), through FrameDecoder + TraceBuilder):\n',
    );
    console.log((await runScript([path.join(BENCH, 'hostDecode.mjs')], 'hostDecode.mjs')).trimEnd());
  }

  if (only.length === 0 || only.includes('explain')) {
    console.log('\nNarration + critical path (generated 1M-event trace, one loop, separate process):\n');
    console.log((await runScript([path.join(BENCH, 'explain.mjs')], 'explain.mjs')).trimEnd());
  }

  const webview = path.join(BENCH, 'webview.mjs');
  if ((only.length === 0 || only.includes('webview')) && fs.existsSync(webview)) {
    console.log('\nWebview (bench/webview.mjs):\n');
    console.log((await runScript([webview], 'webview.mjs')).trimEnd());
  }

  if (only.length === 0 || only.includes('python')) await pythonPart();
}

await main();
