# asyncio.Lock and asyncio.Semaphore: waiting for your turn is a suspension too.
# Timeline: four `writer` tasks take one Lock in turn: each holds it for 0.1 s (suspended at
# its sleep) while the others wait at `async with lock` (waiting for a lock), so they finish at
# ~0.1, 0.2, 0.3, 0.4 s. Then six `download` tasks share a Semaphore(2): two at a time, three
# waves of 0.1 s, waiting at `async with slots` (a semaphore). Total ~0.7 s.
import asyncio


async def writer(n, lock):
    async with lock:
        print(f'writer {n} has the lock')
        await asyncio.sleep(0.1)


async def download(n, slots):
    async with slots:
        await asyncio.sleep(0.1)
        print(f'download {n} done')


async def main():
    lock = asyncio.Lock()
    await asyncio.gather(*(writer(n, lock) for n in range(4)))
    slots = asyncio.Semaphore(2)
    await asyncio.gather(*(download(n, slots) for n in range(6)))


asyncio.run(main())
