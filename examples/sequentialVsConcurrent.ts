// The same three 300 ms "fetches", awaited one after the other, then all at once.
// Timeline: `sequential` parks three times in a row (three fetch lanes one after another,
// ~900 ms); `concurrent` starts three fetches together and parks once at Promise.all
// (three overlapping lanes, ~300 ms). Total ≈ 1.2 s.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function fetchItem(name: string): Promise<string> {
  await sleep(300);
  return `${name} loaded`;
}

async function sequential(): Promise<void> {
  const a = await fetchItem('a');
  const b = await fetchItem('b');
  const c = await fetchItem('c');
  console.log('sequential:', a, b, c);
}

async function concurrent(): Promise<void> {
  const [a, b, c] = await Promise.all([fetchItem('a'), fetchItem('b'), fetchItem('c')]);
  console.log('concurrent:', a, b, c);
}

async function main(): Promise<void> {
  let t = performance.now();
  await sequential();
  console.log(`sequential took ${Math.round(performance.now() - t)} ms`);
  t = performance.now();
  await concurrent();
  console.log(`concurrent took ${Math.round(performance.now() - t)} ms`);
}

main();
