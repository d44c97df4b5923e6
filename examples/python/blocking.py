# time.sleep blocks the event loop (the seed: coroutines do not make blocking code concurrent).
# Timeline: `ticker` wants to wake every 0.05 s, but `blocker` calls time.sleep(0.3): one long
# running segment (flagged as blocking) during which nothing else runs, so ticker's suspension
# at `await asyncio.sleep(0.05)` stretches to ~0.3 s; `polite` does the same wait with
# `await asyncio.sleep(0.3)` and lets the ticks go on.
import asyncio
import time


async def ticker():
    for i in range(8):
        await asyncio.sleep(0.05)
        print(f'tick {i}')


async def blocker():
    time.sleep(0.3)  # blocks the whole loop: use `await asyncio.sleep(0.3)`
    print('blocker: done')


async def polite():
    await asyncio.sleep(0.3)
    print('polite: done')


async def main():
    await asyncio.gather(ticker(), blocker())
    await asyncio.gather(ticker(), polite())


asyncio.run(main())
