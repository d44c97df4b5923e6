# Timeouts: asyncio.wait_for and asyncio.timeout cancel the work they guard.
# Timeline: `slow_query` starts a 1 s sleep under `wait_for(..., 0.2)`; at ~0.2 s its sleep
# resumes by throwing and the lane ends `cancelled` (⊘); main resumes by throwing (TimeoutError).
# Then the same with `async with asyncio.timeout(0.2)`, where the cancelled sleep is main's own.
# Total ~0.4 s, not 2 s.
import asyncio


async def slow_query():
    await asyncio.sleep(1)
    return 'rows'


async def main():
    try:
        await asyncio.wait_for(slow_query(), timeout=0.2)
    except TimeoutError:
        print('wait_for: gave up after 0.2 s')
    try:
        async with asyncio.timeout(0.2):
            await asyncio.sleep(1)
    except TimeoutError:
        print('timeout(): gave up after 0.2 s')


asyncio.run(main())
