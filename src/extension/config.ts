/**
 * Typed access to the `asyncTimeline.*` settings. Read fresh on every use (settings are cheap
 * to read and may differ per workspace folder); `onDidChange` tells features to refresh.
 */
import * as vscode from 'vscode';
import { PACKAGE_NAME } from '../runtime/manifest';
import { CONFIG_SECTION, Ids } from './ids';
import { DEFAULT_BLOCKING_THRESHOLD_MS } from '../core/blocking';

/** The settings that shape one run. */
export interface RunSettings {
  nodePath: string;
  /** `asyncTimeline.python.path`; empty: the Python extension's interpreter, else PATH. */
  pythonPath: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutSeconds: number;
  /** `asyncTimeline.run.stopGracePeriod`: seconds between SIGINT, SIGTERM and killing the tree on Stop/timeout. */
  stopGraceSeconds: number;
  saveBeforeRun: boolean;
  maxEvents: number;
  /** Packages from node_modules to instrument too (valid package names only). */
  packages: string[];
}

/** The extension's settings, typed. */
export class ExtensionConfig implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when any `asyncTimeline.*` setting changed. */
  readonly onDidChange = this.emitter.event;
  private readonly listener: vscode.Disposable;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(CONFIG_SECTION)) this.emitter.fire();
    });
  }

  private section(scope?: vscode.Uri): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  }

  /** Settings for running the file at `scope`. */
  run(scope?: vscode.Uri): RunSettings {
    const c = this.section(scope);
    const s = Ids.settings;
    const env = c.get<Record<string, unknown>>(s.env, {}) ?? {};
    return {
      nodePath: (c.get<string>(s.nodePath, '') ?? '').trim(),
      pythonPath: (c.get<string>(s.pythonPath, '') ?? '').trim(),
      args: (c.get<unknown[]>(s.args, []) ?? []).filter((a): a is string => typeof a === 'string'),
      env: Object.fromEntries(
        Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
      cwd: (c.get<string>(s.cwd, '') ?? '').trim(),
      timeoutSeconds: Math.max(0, Number(c.get<number>(s.timeoutSeconds, 120)) || 0),
      stopGraceSeconds: Math.max(0, Number(c.get<number>(s.stopGracePeriod, 2)) || 0),
      saveBeforeRun: c.get<boolean>(s.saveBeforeRun, true) !== false,
      maxEvents: Math.max(1000, Number(c.get<number>(s.maxEvents, 2_000_000)) || 2_000_000),
      packages: (c.get<unknown[]>(s.instrumentPackages, []) ?? []).filter(
        (p): p is string => typeof p === 'string' && PACKAGE_NAME.test(p),
      ),
    };
  }

  get codeLensEnabled(): boolean {
    return this.section().get<boolean>(Ids.settings.codeLensEnabled, true) !== false;
  }

  get decorationsEnabled(): boolean {
    return this.section().get<boolean>(Ids.settings.decorationsEnabled, true) !== false;
  }

  get blockingThresholdMs(): number {
    const v = Number(this.section().get<number>(Ids.settings.blockingThresholdMs, DEFAULT_BLOCKING_THRESHOLD_MS));
    return Number.isFinite(v) && v > 0 ? v : DEFAULT_BLOCKING_THRESHOLD_MS;
  }

  get revealTimelineOnRun(): boolean {
    return this.section().get<boolean>(Ids.settings.revealTimelineOnRun, true) !== false;
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
