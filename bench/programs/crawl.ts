// (4b) The seed's crawl example: four pages sleeping 1..4 x BENCH_SCALE_MS (default 10 ms),
// a then-callback per task, Promise.all. Expected wall: ~4 x scale.
const SCALE = Number(process.env.BENCH_SCALE_MS || 10);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const results: string[] = [];

async function crawlPage(url: string): Promise<string> {
  const units = Number(url.split('_').at(-1));
  await sleep(units * SCALE);
  return `OK ${url}`;
}

async function main(urls: string[]): Promise<void> {
  const tasks = urls.map((url) => crawlPage(url));
  for (const task of tasks) {
    task.then((result) => results.push(result));
  }
  await Promise.all(tasks);
}

const started = performance.now();
main(['url_1', 'url_2', 'url_3', 'url_4']).then(() =>
  console.log(
    JSON.stringify({ bench: 'crawl', n: 4, ms: performance.now() - started, check: results.length === 4 }),
  ),
);
