# The seed's second example as a runnable script (the seed times it with IPython's %time).
# Timeline: four crawl_page tasks scheduled at once, each sleeping 1-4 s concurrently; main waits
# in `await asyncio.gather(*tasks)` (combinator gather, awaiting all four); a `done` callback
# marker at 1, 2, 3 and 4 s where add_done_callback's lambda printed each result. Total ~4 s, not 10 s.
import asyncio
import time


async def crawl_page(url):
    print('crawling {}'.format(url))
    sleep_time = int(url.split('_')[-1])
    await asyncio.sleep(sleep_time)
    return 'OK {}'.format(url)


async def main(urls):
    tasks = [asyncio.create_task(crawl_page(url)) for url in urls]
    for task in tasks:
        task.add_done_callback(lambda future: print('result: ', future.result()))
    await asyncio.gather(*tasks)


started = time.perf_counter()
asyncio.run(main(['url_1', 'url_2', 'url_3', 'url_4']))
print(f'wall time: {time.perf_counter() - started:.2f} s')
