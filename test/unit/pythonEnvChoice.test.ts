import assert from 'node:assert/strict';
import { chooseFromPythonApi, type PythonEnvironmentsApi } from '../../src/extension/pythonEnvChoice';

/** A stub of the `@vscode/python-extension` API: only what the choice reads. */
function stubApi(opts: {
  path?: string;
  resolved?: string | null;
  resolveDelayMs?: number;
  throws?: boolean;
  seen?: unknown[];
}): PythonEnvironmentsApi {
  return {
    environments: {
      getActiveEnvironmentPath(resource?: unknown) {
        opts.seen?.push(resource);
        if (opts.throws) throw new Error('broken');
        return { id: 'x', path: opts.path ?? '' };
      },
      resolveEnvironment: async () => {
        if (opts.resolveDelayMs) await new Promise((r) => setTimeout(r, opts.resolveDelayMs));
        return opts.resolved === null || opts.resolved === undefined
          ? undefined
          : { executable: { uri: { fsPath: opts.resolved } } };
      },
    },
  } as unknown as PythonEnvironmentsApi;
}

describe('extension/pythonEnvChoice', () => {
  it("takes the resolved environment's executable, asking for the file's resource", async () => {
    const seen: unknown[] = [];
    const resource = { fsPath: '/p/a.py' };
    const exe = await chooseFromPythonApi(
      stubApi({ path: '/p/.venv', resolved: '/p/.venv/bin/python3', seen }),
      resource as never,
      1000,
    );
    assert.equal(exe, '/p/.venv/bin/python3');
    assert.deepEqual(seen, [resource]);
  });

  it('falls back to the environment path only when it names an interpreter', async () => {
    assert.equal(await chooseFromPythonApi(stubApi({ path: '/usr/bin/python3.12', resolved: null }), undefined, 1000), '/usr/bin/python3.12');
    assert.equal(await chooseFromPythonApi(stubApi({ path: '/opt/conda/envs/x', resolved: null }), undefined, 1000), undefined);
  });

  it('gives up (undefined, so PATH) when the API throws or is too slow', async () => {
    assert.equal(await chooseFromPythonApi(stubApi({ throws: true }), undefined, 1000), undefined);
    const t0 = Date.now();
    assert.equal(
      await chooseFromPythonApi(stubApi({ path: '/x/venv', resolved: '/x/venv/bin/python', resolveDelayMs: 2000 }), undefined, 50),
      undefined,
    );
    assert.ok(Date.now() - t0 < 1500);
  });
});
