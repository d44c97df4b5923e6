/**
 * `▶ Trace test` lenses above the tests and suites of Node's test runner and mocha files (found by
 * the TypeScript parser in instrument/testScan; the runner decided by testCommand.ts#testRunnerFor).
 * A click runs just that test under the timeline (the `traceTest` command).
 */
import * as vscode from 'vscode';
import type { TestScanResult } from '../instrument/testScan';
import { loadInstrumenter } from '../runner/run';
import type { ExtensionConfig } from './config';
import { Ids } from './ids';
import { testRunnerFor, type TestRunner, type TestTarget } from './testCommand';

/** The lens titles (the e2e test clicks them by name). */
export const TRACE_TEST_TITLE = '▶ Trace test';
export const TRACE_SUITE_TITLE = '▶ Trace suite';

/** Provides the per-test lenses of test files. */
export class TestCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly scans = new Map<
    string,
    { version: number; scan: TestScanResult; runner: TestRunner | null }
  >();

  constructor(private readonly config: ExtensionConfig) {
    const selector: vscode.DocumentSelector = [
      'typescript',
      'javascript',
      'typescriptreact',
      'javascriptreact',
    ].map((language) => ({ language, scheme: 'file' }));
    this.subscriptions.push(
      vscode.languages.registerCodeLensProvider(selector, this),
      config.onDidChange(() => this.emitter.fire()),
      vscode.workspace.onDidCloseTextDocument((d) => this.scans.delete(d.uri.toString())),
    );
  }

  private scan(doc: vscode.TextDocument): { scan: TestScanResult; runner: TestRunner | null } {
    const key = doc.uri.toString();
    const cached = this.scans.get(key);
    if (cached && cached.version === doc.version) return cached;
    // The parser lives in the instrumenter bundle, loaded on first use (not at activation).
    const scan = loadInstrumenter().scanTests(doc.getText(), doc.fileName);
    const runner = scan.framework ? testRunnerFor(scan, doc.uri.fsPath) : null;
    this.scans.set(key, { version: doc.version, scan, runner });
    return { scan, runner };
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.config.codeLensEnabled) return [];
    const { scan, runner } = this.scan(doc);
    if (!runner) return [];
    return scan.tests
      .filter((t) => t.line >= 1 && t.line <= doc.lineCount)
      .map((test) => {
        const target: TestTarget = { file: doc.uri.fsPath, runner, test };
        const what = [...test.parents, test.name].join(' › ');
        return new vscode.CodeLens(new vscode.Range(test.line - 1, 0, test.line - 1, 0), {
          title: test.isSuite ? TRACE_SUITE_TITLE : TRACE_TEST_TITLE,
          command: Ids.commands.traceTest,
          arguments: [target],
          tooltip: `Run only ${test.isSuite ? 'the tests of' : ''} "${what}" (${runner}) and record when each coroutine ran`,
        });
      });
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.emitter.dispose();
  }
}
