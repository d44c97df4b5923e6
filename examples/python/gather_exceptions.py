# asyncio.gather(..., return_exceptions=True): one failure does not cancel the others.
# Timeline: three `fetch` tasks scheduled by gather; `fetch(2)` raises at ~0.2 s (rejected ✗)
# while the others keep sleeping to 0.1 s and 0.3 s; main waits once in `await
# asyncio.gather(...)` (combinator gather over all three) and resumes normally at ~0.3 s
# with the exception among the results.
import asyncio


async def fetch(n):
    await asyncio.sleep(n / 10)
    if n == 2:
        raise ConnectionError(f'fetch {n}: connection reset')
    return f'page {n}'


async def main():
    results = await asyncio.gather(fetch(1), fetch(2), fetch(3), return_exceptions=True)
    for r in results:
        print('error:' if isinstance(r, BaseException) else 'ok:', r)


asyncio.run(main())
