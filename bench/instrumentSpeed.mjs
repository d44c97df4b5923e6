// Instrumentation speed: a generated 10,000-line TypeScript file (async functions, methods,
// arrows, generators, loops with awaits, try/finally), instrumented with the built instrumenter
// (dist/instrument.js, the bundle the runtime loads) in a fresh process. Prints: time to load the
// instrumenter, the first (cold) call, the median of warm calls and which path took them (the fast
// path: one parse, types blanked, hooks as text edits), the slow path (the TypeScript transformer,
// `path: 'slow'`) and plain transpiling (trace: false) for reference. Target: the 10,000-line file
// in <= 150 ms. BENCH_REPEAT sets the number of warm calls (default 9).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const LINES = Number(process.env.BENCH_LINES || 10_000);
const WARM = Number(process.env.BENCH_REPEAT || 9);

/** One block of ~25 lines exercising every kind of coroutine the instrumenter rewrites. */
function block(i) {
  return [
    `export async function load${i}(id: number, name = 'n${i}'): Promise<number> {`,
    `  const first = await fetchValue(id);`,
    `  let total = first + name.length;`,
    `  for (let k = 0; k < 3; k++) {`,
    `    total += await fetchValue(k);`,
    `  }`,
    `  try {`,
    `    total += (await Promise.all([fetchValue(1), fetchValue(2)])).length;`,
    `  } finally {`,
    `    await sleep(0);`,
    `  }`,
    `  return total;`,
    `}`,
    `export class Service${i} {`,
    `  private cache = new Map<number, number>();`,
    `  async get(id: number): Promise<number> {`,
    `    const hit = this.cache.get(id);`,
    `    return hit ?? (await load${i}(id));`,
    `  }`,
    `  handler = async (x: number): Promise<string> => \`\${await this.get(x)}\`;`,
    `  async *stream(n: number): AsyncGenerator<number> {`,
    `    for await (const v of [fetchValue(n), fetchValue(n + 1)]) yield v;`,
    `  }`,
    `}`,
    ``,
  ];
}

function generate() {
  const lines = [
    `// Generated for the instrumentation-speed benchmark.`,
    `const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));`,
    `async function fetchValue(x: number): Promise<number> {`,
    `  await sleep(0);`,
    `  return x;`,
    `}`,
  ];
  // Whole blocks while they fit, then comment lines to make exactly LINES lines.
  for (let i = 0; lines.length + block(i).length <= LINES; i++) lines.push(...block(i));
  while (lines.length < LINES) lines.push(`// padding ${lines.length}`);
  return lines.join('\n') + '\n';
}

const bundle = path.join(ROOT, 'dist', 'instrument.js');
if (!fs.existsSync(bundle)) {
  console.log('dist/instrument.js not found: run `npm run build` first');
  process.exit(0);
}
const source = generate();
const file = path.join(ROOT, 'bench', 'generated', 'big.ts');
const t0 = performance.now();
const api = require(bundle);
const loadMs = performance.now() - t0;
const instrument = api.instrumentFile ?? api.instrumentSource ?? api.instrument;
if (typeof instrument !== 'function') {
  console.log(
    `dist/instrument.js exports no instrumentFile/instrumentSource: ${Object.keys(api).join(', ')}`,
  );
  process.exit(0);
}
const opts = (trace, which = 'auto') => ({ format: 'module', trace, cwd: ROOT, path: which });
const time = (trace, which) => {
  const s = performance.now();
  const r = instrument(source, file, opts(trace, which));
  return { ms: performance.now() - s, r };
};
const cold = time(true);
const warm = [];
for (let i = 0; i < WARM; i++) warm.push(time(true).ms);
const plain = [];
for (let i = 0; i < WARM; i++) plain.push(time(false).ms);
// The slow path is several times slower: fewer runs keep the benchmark short.
const slow = [];
let slowPath = '';
for (let i = 0; i < Math.max(3, Math.ceil(WARM / 3)); i++) {
  const t = time(true, 'slow');
  slow.push(t.ms);
  slowPath = t.r.path ?? 'slow';
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = source.split('\n').length - 1;
const sites = cold.r.sites?.length ?? 0;
const taken = cold.r.path ? `${cold.r.path} path${cold.r.fallback ? ` (fell back: ${cold.r.fallback})` : ''}` : 'one path';
console.log(
  `file: ${lines} lines, ${(source.length / 1024).toFixed(0)} KiB, ${sites} sites; output ${(cold.r.code.length / 1024).toFixed(0)} KiB (with inline source map)`,
);
console.log(`load instrumenter (require dist/instrument.js, TypeScript included): ${loadMs.toFixed(0)} ms`);
console.log(
  `instrument, first call (cold JIT):   ${cold.ms.toFixed(0)} ms   target <= 150 ms: ${cold.ms <= 150 ? 'yes' : 'NO'}  [${taken}]`,
);
console.log(
  `instrument, warm (median of ${WARM}):     ${med(warm).toFixed(0)} ms   target <= 150 ms: ${med(warm) <= 150 ? 'yes' : 'NO'}  (${(lines / med(warm)).toFixed(0)} lines/ms; min ${Math.min(...warm).toFixed(0)}, max ${Math.max(...warm).toFixed(0)})`,
);
console.log(`transpile only (trace: false), warm: ${med(plain).toFixed(0)} ms`);
console.log(
  `slow path (${slowPath}: transpileModule + transformer), warm median of ${slow.length}: ${med(slow).toFixed(0)} ms   fast path is ${(med(slow) / med(warm)).toFixed(1)}x faster`,
);
