// Two files: main.ts awaits coroutines defined in ./lib.ts.
// Timeline: `main` creates two `loadUser` tasks (sites in lib.ts) and waits ~150 ms on
// Promise.all, then `Cache.set` and `Cache.get` run one after another (~50 ms each).
// Total ≈ 250 ms.
import { Cache, loadUser } from './lib.ts';

async function main(): Promise<void> {
  const users = await Promise.all([loadUser(1), loadUser(2)]);
  const cache = new Cache();
  await cache.set('first', users[0].name);
  console.log('cached:', await cache.get('first'), 'and', users[1].name);
}

main();
