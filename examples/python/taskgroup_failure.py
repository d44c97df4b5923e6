# A failure in a TaskGroup cancels its siblings (Python 3.11+).
# Timeline: main waits at the `async with` exit (combinator TaskGroup, awaiting three tasks);
# `fails` raises ValueError at ~0.3 s (marked rejected), so asyncio cancels `slow` and
# `slower` right away: their sleeps resume by throwing and their lanes end `cancelled` (⊘)
# long before 1 s / 2 s. main resumes by throwing and handles the ExceptionGroup.
import asyncio


async def slow(name, seconds):
    print(f'{name}: sleeping {seconds} s')
    await asyncio.sleep(seconds)
    print(f'{name}: done (never printed: cancelled)')


async def fails():
    await asyncio.sleep(0.3)
    raise ValueError('fails: something went wrong')


async def main():
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(slow('slow', 1))
            group.create_task(slow('slower', 2))
            group.create_task(fails())
    except* ValueError as errors:
        print(f'main: caught {errors.exceptions[0]!r}; the siblings were cancelled')


asyncio.run(main())
