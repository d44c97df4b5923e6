// (1) One coroutine doing BENCH_N sequential awaits of plain values (default 1,000,000).
// Prints one JSON line: the time the program's own work took, measured inside the program.
const N = Number(process.env.BENCH_N || 1_000_000);
// BENCH_FLOOR=1: the bare minimum any tracer with a timestamp per yield and per resume pays —
// performance.now() into a typed array before and after each await, nothing else (the "floor").
const FLOOR = process.env.BENCH_FLOOR === '1';
const times = new Float64Array(1 << 16);
let w = 0;

async function loop(n) {
  let sum = 0;
  if (FLOOR) {
    for (let i = 0; i < n; i++) {
      times[w++ & 0xffff] = performance.now();
      const v = await i;
      times[w++ & 0xffff] = performance.now();
      sum += v;
    }
    return sum;
  }
  for (let i = 0; i < n; i++) sum += await i;
  return sum;
}

const t0 = performance.now();
const sum = await loop(N);
const ms = performance.now() - t0;
console.log(JSON.stringify({ bench: 'seqAwaits', n: N, ms, check: sum === (N * (N - 1)) / 2 }));
