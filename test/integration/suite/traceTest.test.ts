/**
 * Tracing the way people run code, inside a real VS Code: the `▶ Trace test` lens on a node:test
 * file of the fixture workspace runs only that test under the timeline, and *Trace npm Script…*
 * runs a package.json script. Both run a command (RunOptions.command): every Node process it
 * starts is traced.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Ids } from '../../../src/extension/ids';
import type { RunOutcome } from '../../../src/extension/runSession';
import { activate, fixture, lenses, open, state, waitFor } from './helpers';

describe('Trace test lens and Trace npm Script', function () {
  this.timeout(120_000);

  before(async () => {
    await activate();
  });

  it('puts ▶ Trace test above each test of a node:test file', async () => {
    await open('math.test.ts');
    const got = await waitFor('trace test lenses', async () => {
      const l = (await lenses(fixture('math.test.ts'))).filter((x) => x.command === Ids.commands.traceTest);
      return l.length >= 2 ? l : undefined;
    });
    assert.deepEqual(
      got.map((l) => [l.line, l.title]),
      [
        [17, '▶ Trace test'],
        [21, '▶ Trace test'],
      ],
    );
  });

  it('▶ Trace test runs only that test: its lanes, its result, the run named after it', async () => {
    const uri = fixture('math.test.ts');
    await open('math.test.ts');
    const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
    const lens = all.find((l) => l.command?.command === Ids.commands.traceTest && l.range.start.line === 16);
    assert.ok(lens?.command, 'the lens of "loads a user"');
    const outcome = (await vscode.commands.executeCommand<RunOutcome>(
      lens.command.command,
      ...(lens.command.arguments ?? []),
    )) as RunOutcome;
    assert.equal(outcome.status, 'finished', JSON.stringify(outcome));
    assert.ok(outcome.status === 'finished' && outcome.exit.reason === 'exited' && outcome.exit.code === 0, JSON.stringify(outcome));
    const s = await state();
    const r = s.results.find((x) => x.entry === uri.fsPath);
    assert.ok(r, `results for ${uri.fsPath}: ${JSON.stringify(s.results.map((x) => x.entry))}`);
    assert.equal(r.label, 'test "loads a user" (node:test)');
    // The clicked test's coroutines ran; the other test's did not.
    assert.ok(r.tasks.includes('fetchUser'), `tasks: ${r.tasks.join(', ')}`);
    assert.ok(!r.tasks.includes('fetchOrder'), `the other test ran too: ${r.tasks.join(', ')}`);
  });

  it('Trace npm Script runs a package.json script under the timeline', async () => {
    const outcome = (await vscode.commands.executeCommand<RunOutcome>(
      Ids.commands.traceNpmScript,
      fixture('package.json'),
      'workers',
    )) as RunOutcome;
    assert.equal(outcome.status, 'finished', JSON.stringify(outcome));
    assert.ok(outcome.status === 'finished' && outcome.exit.code === 0, JSON.stringify(outcome));
    const s = await state();
    const r = s.results.find((x) => x.entry === fixture('package.json').fsPath);
    assert.ok(r, 'results named after the package.json');
    assert.equal(r.label, 'npm run workers');
    for (const name of ['main', 'worker1', 'worker2']) assert.ok(r.tasks.includes(name), `tasks: ${r.tasks.join(', ')}`);
  });
});
