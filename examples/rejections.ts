// Rejections are part of the timeline too.
// Timeline: `flaky` rejects at ~100 ms (its lane ends with ✗); main's `await flaky()` resumes by
// THROWING at that moment and the catch block runs. Then Promise.allSettled waits on three tasks
// (one rejects 50 ms in) and resumes when the slowest settles, at ~250 ms. Exit code 0.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function flaky(ms: number): Promise<string> {
  await sleep(ms);
  throw new Error(`flaky failed after ${ms} ms`);
}

async function steady(ms: number): Promise<string> {
  await sleep(ms);
  return `steady ${ms} ms`;
}

async function main(): Promise<void> {
  try {
    await flaky(100);
  } catch (err) {
    console.log('caught:', (err as Error).message);
  }
  const results = await Promise.allSettled([steady(100), flaky(50), steady(150)]);
  for (const r of results) console.log(r.status, r.status === 'fulfilled' ? r.value : r.reason.message);
}

main();
