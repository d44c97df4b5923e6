# 10,000 tasks x 10 suspending awaits under one gather: prints its work ms.
import asyncio
import os
import time


async def task(i):
    for _ in range(10):
        await asyncio.sleep(0)


async def main():
    t = time.perf_counter()
    c = time.process_time()
    await asyncio.gather(*(task(i) for i in range(int(os.environ.get("BENCH_TASKS", 10_000)))))
    print('work_ms %.1f cpu_ms %.1f' % ((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000))


asyncio.run(main())
