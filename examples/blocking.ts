// A coroutine that never yields blocks everyone (the seed: coroutines don't speed up computation).
// Timeline: `ticker` wants to wake every 50 ms, but `cruncher` computes for ~200 ms in ONE
// long running segment without an await; ticker's suspension at `await sleep(50)` stretches to
// ~220 ms while the cruncher runs, then the ticks go on every 50 ms. Total ≈ 470 ms.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function ticker(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const before = performance.now();
    await sleep(50);
    console.log(`tick ${i}: woke after ${Math.round(performance.now() - before)} ms (asked for 50)`);
  }
}

async function cruncher(): Promise<void> {
  await sleep(20);
  // Busy work with no await: the event loop cannot run anything else until this returns.
  const until = performance.now() + 200;
  let n = 0;
  while (performance.now() < until) n++;
  console.log(`crunched ${n} iterations in one go`);
}

async function main(): Promise<void> {
  await Promise.all([ticker(), cruncher()]);
}

main();
