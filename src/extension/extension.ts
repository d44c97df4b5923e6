/**
 * The composition root: build the services by hand, wire them together, register commands,
 * and push every disposable into `context.subscriptions`. Features live in their own classes.
 */
import * as vscode from 'vscode';
import { startRun } from '../runner/run';
import { ExtensionConfig } from './config';
import { Ids } from './ids';
import { Notifier } from './notifier';
import { ResultsStore } from './resultsStore';
import { traceNpmScript } from './npmScriptPicker';
import { RunCodeLensProvider } from './runCodeLensProvider';
import { RunController } from './runController';
import { TimelineDecorations } from './timelineDecorations';
import { TimelineHub } from './timelineHub';
import { TimelinePanel } from './timelinePanel';
import { TimelineViewProvider } from './timelineViewProvider';
import { TraceFiles, type ExportArgs } from './traceFiles';
import { WorkspaceTrust } from './workspaceTrust';
import { describeState } from './testState';
import { TestCodeLensProvider } from './testCodeLensProvider';
import { parseTestTarget, testCommand, testLabel } from './testCommand';

/** Activates the extension (on a TS/JS file, a contributed command or view, or a restored panel). */
export function activate(context: vscode.ExtensionContext): void {
  const config = new ExtensionConfig();
  const store = new ResultsStore();
  const notifier = new Notifier();
  const trust = new WorkspaceTrust();
  const output = vscode.window.createOutputChannel(Ids.outputChannel);
  // Test-only entry points (the state snapshot, the trust override, the page's writable view API) exist only when the
  // extension runs under a test runner, never in a released build.
  const testMode = context.extensionMode === vscode.ExtensionMode.Test;
  const hub = new TimelineHub(
    context.extensionUri,
    store,
    () => ({ blockingThresholdMs: config.blockingThresholdMs, testMode }),
    config.onDidChange,
  );
  const view = new TimelineViewProvider(hub);
  const panel = new TimelinePanel(hub, context.extensionUri);
  const revealView = () => void view.reveal();
  const runs = new RunController({
    startRun,
    store,
    config,
    notifier,
    trust,
    output,
    onRunStarted: () => {
      if (config.revealTimelineOnRun) revealView();
    },
  });
  const decorations = new TimelineDecorations(store, config);
  const lenses = new RunCodeLensProvider(store, config, runs, decorations);
  const testLenses = new TestCodeLensProvider(config);
  const traceFiles = new TraceFiles(store, notifier, revealView);
  const setHasResults = () =>
    void vscode.commands.executeCommand('setContext', Ids.contextKeys.hasResults, !store.isEmpty);

  const c = Ids.commands;
  const toUri = (u: unknown) =>
    u instanceof vscode.Uri ? u : typeof u === 'string' ? vscode.Uri.file(u) : undefined;
  context.subscriptions.push(
    config,
    store,
    output,
    hub,
    view,
    panel,
    runs,
    decorations,
    lenses,
    testLenses,
    store.onDidChange(setHasResults),
    vscode.commands.registerCommand(c.run, (uri?: unknown) => runs.run(toUri(uri))),
    vscode.commands.registerCommand(c.runFile, (uri?: unknown) => runs.run(toUri(uri))),
    vscode.commands.registerCommand(c.stop, (uri?: unknown) => runs.stop(toUri(uri))),
    vscode.commands.registerCommand(c.traceNpmScript, (uri?: unknown, script?: unknown) =>
      traceNpmScript(runs, toUri(uri), typeof script === 'string' ? script : undefined),
    ),
    vscode.commands.registerCommand(c.traceTest, async (arg?: unknown) => {
      const target = parseTestTarget(arg);
      if (!target) return undefined;
      return runs.runCommand({
        entry: target.file,
        label: testLabel(target),
        build: (nodePath) => testCommand(target, nodePath),
      });
    }),
    vscode.commands.registerCommand(c.showTimeline, () => panel.show()),
    vscode.commands.registerCommand(c.clear, () => store.clear()),
    vscode.commands.registerCommand(c.exportTrace, (args?: ExportArgs) => traceFiles.exportTrace(args)),
    vscode.commands.registerCommand(c.openTrace, (uri?: unknown) => traceFiles.openTrace(toUri(uri))),
    vscode.commands.registerCommand(c.showInTimeline, async (args?: { taskIds?: unknown }) => {
      const ids = Array.isArray(args?.taskIds)
        ? args.taskIds.filter((x): x is number => Number.isInteger(x))
        : [];
      await view.reveal();
      hub.revealTasks(ids);
    }),
  );
  if (testMode)
    context.subscriptions.push(
      vscode.commands.registerCommand(Ids.internalCommands.testState, () =>
        describeState({ store, runs, decorations, hub, notifier, trust, panel, view }),
      ),
      vscode.commands.registerCommand(Ids.internalCommands.testSetTrust, (trusted?: boolean) =>
        trust.setOverride(typeof trusted === 'boolean' ? trusted : undefined),
      ),
    );
  setHasResults();
}

/** Nothing to do: every resource is in `context.subscriptions` (the run controller kills running programs). */
export function deactivate(): void {}
