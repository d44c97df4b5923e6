// (2) BENCH_TASKS coroutines (default 1,000) x BENCH_AWAITS awaits each (default 1,000), joined
// with Promise.all: a million awaits interleaved across a thousand tasks.
const TASKS = Number(process.env.BENCH_TASKS || 1000);
const AWAITS = Number(process.env.BENCH_AWAITS || 1000);

async function worker(id) {
  let acc = id;
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
