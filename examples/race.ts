// Promise.race with a timeout: whoever settles first wakes the waiter.
// Timeline: main parks at the first race on [slowQuery, timeout]; the 200 ms timeout wins, so
// main resumes at ~200 ms by throwing while slowQuery (500 ms) keeps running in its own lane
// until ~500 ms. The second race's query (100 ms) wins and main resumes at ~300 ms, while the
// losing timeout runs on until ~400 ms. Total ≈ 500 ms.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function slowQuery(ms: number): Promise<string> {
  await sleep(ms);
  return `rows after ${ms} ms`;
}

async function timeout(ms: number): Promise<never> {
  await sleep(ms);
  throw new Error(`timed out after ${ms} ms`);
}

async function main(): Promise<void> {
  try {
    console.log(await Promise.race([slowQuery(500), timeout(200)]));
  } catch (err) {
    console.log('race lost:', (err as Error).message);
  }
  console.log(await Promise.race([slowQuery(100), timeout(200).catch(() => 'late timeout')]));
}

main();
