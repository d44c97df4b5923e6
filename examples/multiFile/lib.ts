// Imported by main.ts: local modules are instrumented too, so these coroutines get their own
// lanes with sites in lib.ts.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function loadUser(id: number): Promise<{ id: number; name: string }> {
  await sleep(150);
  return { id, name: `user${id}` };
}

export class Cache {
  private readonly data = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    await sleep(50);
    return this.data.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    await sleep(50);
    this.data.set(key, value);
  }
}
