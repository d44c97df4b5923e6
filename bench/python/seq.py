# 200,000 suspending awaits in one task (each through a nested coroutine): prints its work ms.
import asyncio
import os
import time


async def step(i):
    await asyncio.sleep(0)


async def main():
    t = time.perf_counter()
    c = time.process_time()
    for i in range(int(os.environ.get("BENCH_N", 200_000))):
        await step(i)
    print('work_ms %.1f cpu_ms %.1f' % ((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000))


asyncio.run(main())
