# asyncio.to_thread: blocking work moved off the loop, so the loop keeps running.
# Timeline: `checksum` awaits `asyncio.to_thread(work, …)` twice (waiting for a thread) while
# `ticker` keeps ticking every 0.05 s on the loop; compare blocking.py, where the same kind of
# work stopped the ticks.
import asyncio
import hashlib
import time


def work(seconds):
    time.sleep(seconds)  # stands for blocking I/O or a C library call
    return hashlib.sha256(str(seconds).encode()).hexdigest()[:8]


async def checksum():
    for seconds in (0.2, 0.1):
        digest = await asyncio.to_thread(work, seconds)
        print(f'checksum after {seconds} s: {digest}')


async def ticker():
    for i in range(6):
        await asyncio.sleep(0.05)
        print(f'tick {i}')


async def main():
    await asyncio.gather(checksum(), ticker())


asyncio.run(main())
