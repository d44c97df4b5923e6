// (4a) The seed's worker example (worker_1 / worker_2) with sleeps scaled to BENCH_SCALE_MS
// (default 10 ms instead of 1 s). Expected wall: ~2 x scale.
const SCALE = Number(process.env.BENCH_SCALE_MS || 10);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function worker1(): Promise<void> {
  await sleep(1 * SCALE);
}

async function worker2(): Promise<void> {
  await sleep(2 * SCALE);
}

async function main(): Promise<void> {
  const task1 = worker1();
  const task2 = worker2();
  await task1;
  await task2;
}

const started = performance.now();
main().then(() =>
  console.log(JSON.stringify({ bench: 'workers', n: 2, ms: performance.now() - started, check: true })),
);
