# asyncio.wait(..., return_when=FIRST_COMPLETED): take the first answer, cancel the rest.
# Timeline: three `mirror` tasks race; main waits in `asyncio.wait` (combinator wait over all
# three) and is woken at ~0.1 s by the fastest; it then cancels the two others, whose lanes end
# `cancelled` (⊘) at that moment, and awaits them so the cancellations are delivered.
import asyncio


async def mirror(name, delay):
    await asyncio.sleep(delay)
    return f'{name} answered after {delay} s'


async def main():
    tasks = [
        asyncio.create_task(mirror('eu', 0.3)),
        asyncio.create_task(mirror('us', 0.1)),
        asyncio.create_task(mirror('asia', 0.5)),
    ]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        print('first:', task.result())
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    print(f'cancelled {len(pending)} slower mirrors')


asyncio.run(main())
