# The seed's first example as a runnable script (the seed times it with IPython's %time).
# Timeline: main creates worker_1 and worker_2 with create_task; both lanes start `scheduled`
# (created, not run) until main parks at `await task1`; then worker_1 runs to `await
# asyncio.sleep(1)`, worker_2 to `await asyncio.sleep(2)`, and the loop idles. At ~1 s worker_1
# finishes and wakes main, which parks on `await task2`; at ~2 s worker_2 wakes it again.
# Total ~2 s, not 3 s. (Unlike the TypeScript port, 'before await' prints before 'worker_1 start'.)
import asyncio
import time


async def worker_1():
    print('worker_1 start')
    await asyncio.sleep(1)
    print('worker_1 done')


async def worker_2():
    print('worker_2 start')
    await asyncio.sleep(2)
    print('worker_2 done')


async def main():
    task1 = asyncio.create_task(worker_1())
    task2 = asyncio.create_task(worker_2())
    print('before await')
    await task1
    print('awaited worker_1')
    await task2
    print('awaited worker_2')


started = time.perf_counter()
asyncio.run(main())
print(f'wall time: {time.perf_counter() - started:.2f} s')
