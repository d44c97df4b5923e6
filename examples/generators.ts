// An async generator consumed with `for await`.
// Timeline: the generator `ticks` alternates: it suspends at `await sleep(100)` (waiting on the
// timer) and at `yield` (handing a value to the consumer); `main` suspends at the `for await`
// line between values. Five values at ~100 ms apart, total ≈ 500 ms.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function* ticks(count: number): AsyncGenerator<number> {
  for (let i = 1; i <= count; i++) {
    await sleep(100);
    yield i;
  }
}

async function main(): Promise<void> {
  let sum = 0;
  for await (const n of ticks(5)) {
    console.log('got', n);
    sum += n;
  }
  console.log('sum', sum);
}

main();
