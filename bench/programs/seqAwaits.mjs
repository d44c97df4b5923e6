// (1) One coroutine doing BENCH_N sequential awaits of plain values (default 1,000,000).
// Prints one JSON line: the time the program's own work took, measured inside the program.
const N = Number(process.env.BENCH_N || 1_000_000);

async function loop(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await i;
  return sum;
}

const t0 = performance.now();
const sum = await loop(N);
const ms = performance.now() - t0;
console.log(JSON.stringify({ bench: 'seqAwaits', n: N, ms, check: sum === (N * (N - 1)) / 2 }));
