/**
 * Run / Stop: turns an editor file into a {@link RunSession}, and reports how it went.
 * Owns the extension-wide run UI: the `asyncTimeline.running` context key, the status bar item
 * (elapsed time, click to stop), the progress notification for long runs, the Output channel
 * and the Problems entries for syntax errors and crashes. Never blocks the extension host: the
 * program runs in a child process and everything here is asynchronous.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { formatDuration } from '../core/editorHints';
import type { SourceSite } from '../protocol/trace';
import type { ExtensionConfig } from './config';
import { Ids } from './ids';
import { resolveNode } from './nodeResolver';
import { isPythonFile } from '../runner/languages';
import { describePython, type PythonInterpreter } from '../runner/pythonInterpreter';
import { resolvePythonFor } from './pythonResolver';
import type { Notifier } from './notifier';
import type { ResultsStore } from './resultsStore';
import { RunSession, type RunOutcome, type StartRun } from './runSession';
import type { WorkspaceTrust } from './workspaceTrust';
import type { RunOptions } from '../runner/types';

const RUNNABLE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py|pyw)$/i;
/** Runs longer than this get a progress notification (with a Cancel button that stops them). */
const PROGRESS_AFTER_MS = 2000;

export interface RunControllerDeps {
  startRun: StartRun;
  store: ResultsStore;
  config: ExtensionConfig;
  notifier: Notifier;
  trust: WorkspaceTrust;
  output: vscode.OutputChannel;
  /** Called when a run starts (reveals the timeline view, per setting). */
  onRunStarted(entry: string): void;
}

/** Starts, stops and reports runs. */
export class RunController implements vscode.Disposable {
  private readonly sessions = new Map<string, RunSession>();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly diagnostics: vscode.DiagnosticCollection;
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when a run starts or ends. */
  readonly onDidChangeRunning = this.emitter.event;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: RunControllerDeps) {
    this.statusItem = vscode.window.createStatusBarItem(
      'asyncTimeline.run',
      vscode.StatusBarAlignment.Left,
      50,
    );
    this.statusItem.name = 'Async Timeline run';
    this.statusItem.command = Ids.commands.stop;
    this.diagnostics = vscode.languages.createDiagnosticCollection(Ids.diagnosticSource);
    void vscode.commands.executeCommand('setContext', Ids.contextKeys.running, false);
  }

  /** Absolute paths of the files running now. */
  get runningFiles(): string[] {
    return [...this.sessions.keys()];
  }

  /** The session running `entry`, if any. */
  session(entry: string): RunSession | undefined {
    return this.sessions.get(entry);
  }

  /** The refusal in an untrusted workspace (a run executes the program), or null when trusted. */
  private refuseUntrusted(): RunOutcome | null {
    if (this.deps.trust.isTrusted) return null;
    const message =
      'Async Timeline: running programs is disabled in this untrusted workspace, because a run executes the program. Trust the workspace to run it; opening saved traces still works.';
    this.deps.notifier.show(
      'warning',
      message,
      {
        title: 'Manage Workspace Trust',
        run: () => vscode.commands.executeCommand('workbench.trust.manage'),
      },
      { title: 'Open Trace File…', run: () => vscode.commands.executeCommand(Ids.commands.openTrace) },
    );
    return { status: 'refused', reason: 'untrusted', message };
  }

  /** Runs `target` (default: the active editor's file). Resolves when the run has ended. */
  async run(target?: vscode.Uri): Promise<RunOutcome> {
    const refused = this.refuseUntrusted();
    if (refused) return refused;
    const uri = target ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      const message = 'Async Timeline: open a TypeScript, JavaScript or Python file to run it.';
      this.deps.notifier.show('info', message);
      return { status: 'refused', reason: 'no-file', message };
    }
    if (uri.scheme !== 'file') {
      const message = 'Async Timeline: save the file to disk first; only files on disk can be run.';
      this.deps.notifier.show('info', message);
      return { status: 'refused', reason: 'untitled', message };
    }
    if (!RUNNABLE.test(uri.fsPath)) {
      const message = `Async Timeline: ${path.basename(uri.fsPath)} is not a TypeScript, JavaScript or Python file.`;
      this.deps.notifier.show('info', message);
      return { status: 'refused', reason: 'unsupported', message };
    }

    const entry = uri.fsPath;
    const settings = this.deps.config.run(uri);
    const python = isPythonFile(entry);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let entrySource: string | undefined;
    if (doc?.isDirty) {
      // Python runs the file on disk as the real __main__ (its tracebacks name it): always saved first.
      if (settings.saveBeforeRun || python) await doc.save();
      else entrySource = doc.getText();
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    const cwd = settings.cwd
      ? path.resolve(folder ?? path.dirname(entry), settings.cwd)
      : (folder ?? path.dirname(entry));

    let node: Awaited<ReturnType<typeof resolveNode>> | undefined;
    let interpreter: PythonInterpreter | undefined;
    try {
      if (python) interpreter = await resolvePythonFor(settings.pythonPath, uri, cwd);
      else node = await resolveNode(settings.nodePath, cwd);
    } catch (err) {
      const message = `Async Timeline: ${(err as Error).message}`;
      const setting = python ? 'asyncTimeline.python.path' : 'asyncTimeline.node.path';
      this.deps.notifier.show('error', message, {
        title: 'Open Settings',
        run: () => vscode.commands.executeCommand('workbench.action.openSettings', setting),
      });
      return { status: 'failed', entry, message };
    }
    if (interpreter && !interpreter.traced) {
      // The tracer needs 3.11+; the program still runs (untraced) and says so in the output.
      this.deps.notifier.show(
        'warning',
        `Async Timeline: ${describePython(interpreter)} is too old to trace (Python 3.11 or newer is needed); ${path.basename(entry)} runs untraced.`,
        {
          title: 'Open Settings',
          run: () =>
            vscode.commands.executeCommand('workbench.action.openSettings', 'asyncTimeline.python.path'),
        },
      );
    }

    const options: RunOptions = {
      entry,
      cwd,
      args: settings.args,
      env: { ...(node?.env ?? {}), ...settings.env },
      ...(node ? { nodePath: node.path } : {}),
      ...(interpreter
        ? {
            pythonPath: interpreter.path,
            pythonSource: interpreter.source === 'PATH' ? ('option' as const) : interpreter.source,
          }
        : {}),
      timeoutMs: settings.timeoutSeconds * 1000,
      stopGraceMs: settings.stopGraceSeconds * 1000,
      maxEvents: settings.maxEvents,
      ...(settings.packages.length ? { packages: settings.packages } : {}),
      ...(entrySource !== undefined ? { entrySource } : {}),
      updateIntervalMs: 250,
    };
    const rel = vscode.workspace.asRelativePath(uri, false);
    const runtime = interpreter
      ? `python: ${describePython(interpreter)}`
      : `node: ${node!.path}${node!.source === 'vscode' ? ', VS Code runtime' : ''}`;
    return this.launch(options, `${rel}  (${runtime}; cwd: ${cwd})`, rel);
  }

  /**
   * Runs a command under the timeline (`node --test …` for one test, `npm run <script>`): every
   * Node process it starts is traced, each its own group of lanes. `entry` names the run (the
   * test file, the package.json); `label` says what ran, in the output, status bar and viewer.
   * The command is built once the Node to use is known (it may name it).
   */
  async runCommand(req: {
    entry: string;
    label: string;
    build(nodePath: string): { command: string[]; cwd: string };
  }): Promise<RunOutcome> {
    const refused = this.refuseUntrusted();
    if (refused) return refused;
    const uri = vscode.Uri.file(req.entry);
    const settings = this.deps.config.run(uri);
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(req.entry);
    let node: Awaited<ReturnType<typeof resolveNode>>;
    let spec: { command: string[]; cwd: string };
    try {
      node = await resolveNode(settings.nodePath, folder);
      spec = req.build(node.path);
    } catch (err) {
      const message = `Async Timeline: ${(err as Error).message}`;
      this.deps.notifier.show('error', message, {
        title: 'Open Settings',
        run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'asyncTimeline.node.path'),
      });
      return { status: 'failed', entry: req.entry, message };
    }
    // A command reads its files from disk (no unsaved buffer can be handed to it): save them, as asked.
    if (settings.saveBeforeRun) await vscode.workspace.saveAll(false);
    const options: RunOptions = {
      entry: req.entry,
      cwd: spec.cwd,
      command: spec.command,
      env: { ...node.env, ...settings.env },
      nodePath: node.path,
      timeoutMs: settings.timeoutSeconds * 1000,
      stopGraceMs: settings.stopGraceSeconds * 1000,
      maxEvents: settings.maxEvents,
      ...(settings.packages.length ? { packages: settings.packages } : {}),
      updateIntervalMs: 250,
    };
    const shown = spec.command.map((a) => (/[\s"'$`]/.test(a) ? JSON.stringify(a) : a)).join(' ');
    return this.launch(options, `${req.label}  (${shown}; cwd: ${spec.cwd})`, req.label, req.label);
  }

  /** Starts a session for `options.entry` (replacing its previous run) with the run UI, and reports how it ended. */
  private async launch(
    options: RunOptions,
    heading: string,
    rel: string,
    label?: string,
  ): Promise<RunOutcome> {
    const entry = options.entry;
    const cwd = options.cwd;
    this.sessions.get(entry)?.replace();
    this.diagnostics.clear();
    const session = new RunSession(
      entry,
      options,
      this.deps.startRun,
      this.deps.store,
      this.deps.output,
      label,
    );
    this.sessions.set(entry, session);
    this.deps.output.appendLine(`▶ ${heading}`);
    // The timeline and the Output channel share the panel: show the output only when the
    // timeline is not revealed (and after a crash, where the stack trace is).
    if (!this.deps.config.revealTimelineOnRun) this.deps.output.show(true);
    this.refreshRunningUi();
    this.deps.onRunStarted(entry);

    const outcomePromise = session.run();
    const progressTimer = setTimeout(() => {
      if (!session.running) return;
      void vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Async Timeline: running ${label ?? path.basename(entry)}`,
          cancellable: true,
        },
        (_progress, token) => {
          token.onCancellationRequested(() => session.stop());
          return outcomePromise;
        },
      );
    }, PROGRESS_AFTER_MS);

    const outcome = await outcomePromise;
    clearTimeout(progressTimer);
    if (this.sessions.get(entry) === session) this.sessions.delete(entry);
    this.refreshRunningUi();
    this.report(outcome, cwd, rel);
    return outcome;
  }

  /** Stops the run of `target`, else of the active editor's file, else the most recent run. */
  stop(target?: vscode.Uri): boolean {
    const active = vscode.window.activeTextEditor?.document.uri.fsPath;
    const session =
      (target && this.sessions.get(target.fsPath)) ??
      (active ? this.sessions.get(active) : undefined) ??
      [...this.sessions.values()].pop();
    if (!session) return false;
    session.stop();
    this.updateStatusItem();
    return true;
  }

  private refreshRunningUi(): void {
    const running = this.sessions.size > 0;
    void vscode.commands.executeCommand('setContext', Ids.contextKeys.running, running);
    this.emitter.fire();
    if (running && !this.ticker) {
      this.ticker = setInterval(() => this.updateStatusItem(), 200);
      this.updateStatusItem();
      this.statusItem.show();
    } else if (!running && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
      this.statusItem.hide();
    }
  }

  private updateStatusItem(): void {
    const sessions = [...this.sessions.values()];
    const newest = sessions[sessions.length - 1];
    if (!newest) return;
    const more = sessions.length > 1 ? ` (+${sessions.length - 1})` : '';
    if (newest.stopping) {
      // Its shutdown handlers are running (or it ignores SIGINT): say so, and how not to wait.
      const name = path.basename(newest.entry);
      this.statusItem.text = `$(loading~spin) Stopping ${name}… Stop again to kill now${more}`;
      this.statusItem.tooltip = `Async Timeline: stopping ${newest.entry} (SIGINT sent, its shutdown handlers may be running) — click to kill it now`;
      this.statusItem.accessibilityInformation = {
        label: `Async Timeline: stopping ${name}${more}. Stop again to kill now.`,
        role: 'button',
      };
      return;
    }
    this.statusItem.text = `$(debug-stop) ${path.basename(newest.entry)} ${formatDuration(Date.now() - newest.startedAt)}${more}`;
    this.statusItem.tooltip = `Async Timeline: running ${newest.entry} — click to stop`;
    // Screen readers would otherwise start with the icon's name ("debug-stop").
    this.statusItem.accessibilityInformation = {
      label: `Async Timeline: running ${path.basename(newest.entry)}, ${formatDuration(Date.now() - newest.startedAt)}${more}. Click to stop.`,
      role: 'button',
    };
  }

  private goTo(site: SourceSite, cwd: string): { title: string; run(): unknown } {
    return {
      title: 'Go to Location',
      run: async () => {
        const doc = await vscode.workspace.openTextDocument(path.resolve(cwd, site.file));
        const pos = new vscode.Position(Math.max(0, site.line - 1), Math.max(0, site.column - 1));
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
      },
    };
  }

  private addDiagnostic(site: SourceSite, cwd: string, message: string): void {
    const uri = vscode.Uri.file(path.resolve(cwd, site.file));
    const line = Math.max(0, site.line - 1);
    const col = Math.max(0, site.column - 1);
    const d = new vscode.Diagnostic(
      new vscode.Range(line, col, line, col + 1),
      message,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = Ids.diagnosticSource;
    this.diagnostics.set(uri, [...(this.diagnostics.get(uri) ?? []), d]);
  }

  /** Explains how a run ended: Output channel always, a notification when something went wrong. */
  private report(outcome: RunOutcome, cwd: string, rel: string): void {
    const out = this.deps.output;
    const notify = this.deps.notifier;
    switch (outcome.status) {
      case 'source-error': {
        const site = { file: outcome.file, line: outcome.line, column: outcome.column };
        this.addDiagnostic(site, cwd, outcome.message);
        out.appendLine(`✖ ${outcome.file}:${outcome.line}:${outcome.column}: ${outcome.message}`);
        notify.show(
          'error',
          `Async Timeline: ${outcome.file}:${outcome.line}:${outcome.column}: ${outcome.message}`,
          this.goTo(site, cwd),
          {
            title: 'Show Problems',
            run: () => vscode.commands.executeCommand('workbench.actions.view.problems'),
          },
        );
        return;
      }
      case 'failed':
        out.appendLine(`✖ ${outcome.message}`);
        notify.show('error', `Async Timeline: could not run ${rel}: ${outcome.message}`, {
          title: 'Show Output',
          run: () => out.show(true),
        });
        return;
      case 'refused':
      case 'replaced':
        return;
      case 'finished':
        break;
      default: {
        const never: never = outcome;
        return never;
      }
    }
    const { exit } = outcome;
    const took = formatDuration(outcome.durationMs);
    const summary = `${outcome.tasks} task${outcome.tasks === 1 ? '' : 's'}, ${took}`;
    switch (exit.reason) {
      case 'exited':
        out.appendLine(`■ exited with code ${exit.code} (${summary})`);
        if (exit.code !== 0)
          notify.show('warning', `Async Timeline: ${rel} exited with code ${exit.code} after ${took}.`);
        else vscode.window.setStatusBarMessage(`Async Timeline: ${rel} finished in ${took}`, 5000);
        break;
      case 'timeout': {
        const secs = this.deps.config.run().timeoutSeconds;
        out.appendLine(`■ timed out after ${secs} s (${summary})`);
        notify.show(
          'warning',
          `Async Timeline: ${rel} timed out: it was stopped after ${secs} s (asyncTimeline.run.timeoutSeconds). The timeline shows everything up to that point.`,
          {
            title: 'Open Settings',
            run: () =>
              vscode.commands.executeCommand(
                'workbench.action.openSettings',
                'asyncTimeline.run.timeoutSeconds',
              ),
          },
        );
        break;
      }
      case 'stopped':
        out.appendLine(`■ stopped (${summary})`);
        vscode.window.setStatusBarMessage(`Async Timeline: stopped ${rel} after ${took}`, 5000);
        break;
      case 'crashed': {
        const err = exit.error;
        const where = err?.site ? ` at ${err.site.file}:${err.site.line}:${err.site.column}` : '';
        const what = err?.message ?? `exit code ${exit.code ?? exit.signal}`;
        out.appendLine(`✖ crashed${where}: ${what} (${summary})`);
        if (err?.site) this.addDiagnostic(err.site, cwd, `Uncaught: ${what}`);
        notify.show(
          'error',
          `Async Timeline: ${rel} crashed${where}: ${what}`,
          ...(err?.site ? [this.goTo(err.site, cwd)] : []),
          { title: 'Show Output', run: () => out.show(true) },
        );
        break;
      }
    }
    if (outcome.truncated) {
      notify.show(
        'info',
        `Async Timeline: the trace of ${rel} was truncated at asyncTimeline.run.maxEvents; the program ran on untraced.`,
      );
    }
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    if (this.ticker) clearInterval(this.ticker);
    this.statusItem.dispose();
    this.diagnostics.dispose();
    this.emitter.dispose();
  }
}
