// (2) BENCH_TASKS coroutines (default 1,000) x BENCH_AWAITS awaits each (default 1,000), joined
// with Promise.all: a million awaits interleaved across a thousand tasks.
const TASKS = Number(process.env.BENCH_TASKS || 1000);
const AWAITS = Number(process.env.BENCH_AWAITS || 1000);

// BENCH_FLOOR=1: only a timestamp into a typed array before and after each await (see seqAwaits.mjs).
const FLOOR = process.env.BENCH_FLOOR === '1';
const times = new Float64Array(1 << 16);
let w = 0;

async function worker(id) {
  let acc = id;
  if (FLOOR) {
    for (let i = 0; i < AWAITS; i++) {
      times[w++ & 0xffff] = performance.now();
      const v = await i;
      times[w++ & 0xffff] = performance.now();
      acc = (acc + v) | 0;
    }
    return acc;
  }
  for (let i = 0; i < AWAITS; i++) acc = (acc + (await i)) | 0;
  return acc;
}

async function main() {
  const tasks = [];
  for (let t = 0; t < TASKS; t++) tasks.push(worker(t));
  return (await Promise.all(tasks)).length;
}

const t0 = performance.now();
const count = await main();
const ms = performance.now() - t0;
console.log(JSON.stringify({ bench: 'fanout', n: TASKS * AWAITS, ms, check: count === TASKS }));
