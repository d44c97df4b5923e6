// (3) BENCH_TASKS coroutines (default 100,000), each awaiting a 1 ms timer; all joined with
// Promise.all. Dominated by timer and promise machinery, a few events per task.
const TASKS = Number(process.env.BENCH_TASKS || 100_000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waiter(i) {
  await sleep(1);
  return i;
}

async function main() {
  const tasks = [];
  for (let i = 0; i < TASKS; i++) tasks.push(waiter(i));
  return (await Promise.all(tasks)).length;
}

const t0 = performance.now();
const count = await main();
const ms = performance.now() - t0;
console.log(JSON.stringify({ bench: 'timers', n: TASKS, ms, check: count === TASKS }));
