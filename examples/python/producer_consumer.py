# Producer/consumer over an asyncio.Queue (not named queue.py: that would shadow the standard
# library's `queue` module for every script in this folder, and break asyncio.to_thread).
# Timeline: the producer puts an item every 0.1 s; two consumers spend most of their lanes
# suspended at `await queue.get()` (waiting for a queue), each woken when an item arrives and
# then "working" for 0.15 s; main waits at `await queue.join()` until every item is done,
# then cancels the idle consumers (their lanes end `cancelled` ⊘).
import asyncio


async def producer(queue, n):
    for i in range(n):
        await asyncio.sleep(0.1)
        await queue.put(i)
        print(f'put {i}')


async def consumer(name, queue):
    while True:
        item = await queue.get()
        await asyncio.sleep(0.15)
        print(f'{name} handled {item}')
        queue.task_done()


async def main():
    queue = asyncio.Queue()
    consumers = [asyncio.create_task(consumer(f'consumer-{k}', queue)) for k in (1, 2)]
    await producer(queue, 6)
    await queue.join()
    for c in consumers:
        c.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)


asyncio.run(main())
