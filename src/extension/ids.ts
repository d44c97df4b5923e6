/**
 * Every identifier the extension shares with package.json, defined once and typed:
 * command ids, setting keys, context keys, view/container ids, webview types, theme colours.
 * A unit test (test/unit/ids.test.ts) checks these against the manifest in both directions.
 *
 * No `vscode` import here: tests and pure code may read the ids.
 */

/** The configuration section; setting keys below are relative to it. */
export const CONFIG_SECTION = 'asyncTimeline';

/** The extension's identifiers. */
export const Ids = {
  /** Contributed commands (package.json `contributes.commands`). */
  commands: {
    run: 'asyncTimeline.run',
    stop: 'asyncTimeline.stop',
    showTimeline: 'asyncTimeline.showTimeline',
    clear: 'asyncTimeline.clear',
    exportTrace: 'asyncTimeline.exportTrace',
    openTrace: 'asyncTimeline.openTrace',
    /** Lens/hover only (hidden from the palette): reveal given tasks in the timeline. */
    showInTimeline: 'asyncTimeline.showInTimeline',
    /** Lens only (hidden from the palette): run the file the lens sits in. */
    runFile: 'asyncTimeline.runFile',
    /** Pick a package.json script and run `npm run <script>` under the timeline. */
    traceNpmScript: 'asyncTimeline.traceNpmScript',
    /** Lens only (hidden from the palette): run one test (node:test or mocha) under the timeline. */
    traceTest: 'asyncTimeline.traceTest',
  },
  /** Registered but not contributed: used by the integration tests only. */
  internalCommands: {
    testState: 'asyncTimeline._testState',
    testSetTrust: 'asyncTimeline._testSetTrust',
  },
  /** Setting keys, relative to {@link CONFIG_SECTION}. */
  settings: {
    nodePath: 'node.path',
    pythonPath: 'python.path',
    args: 'run.args',
    env: 'run.env',
    cwd: 'run.cwd',
    timeoutSeconds: 'run.timeoutSeconds',
    stopGracePeriod: 'run.stopGracePeriod',
    saveBeforeRun: 'run.saveBeforeRun',
    maxEvents: 'run.maxEvents',
    instrumentPackages: 'instrument.packages',
    codeLensEnabled: 'codeLens.enabled',
    decorationsEnabled: 'decorations.enabled',
    blockingThresholdMs: 'blocking.thresholdMs',
    revealTimelineOnRun: 'timeline.revealOnRun',
  },
  /** Context keys set with `setContext` (used in package.json `when` clauses). */
  contextKeys: {
    running: 'asyncTimeline.running',
    hasResults: 'asyncTimeline.hasResults',
  },
  views: {
    /** The view container in the bottom panel. */
    container: 'asyncTimeline',
    /** The webview view inside it. */
    timeline: 'asyncTimeline.timeline',
  },
  /** Webview panel (editor tab) type, also the serializer's id. */
  webviewPanelType: 'asyncTimeline.timelinePanel',
  /** Contributed theme colours (package.json `contributes.colors`). */
  colors: {
    awaitForeground: 'asyncTimeline.awaitForeground',
    createForeground: 'asyncTimeline.createForeground',
    blockingForeground: 'asyncTimeline.blockingForeground',
    blockingBackground: 'asyncTimeline.blockingBackground',
    staleForeground: 'asyncTimeline.staleForeground',
  },
  outputChannel: 'Async Timeline',
  diagnosticSource: 'async-timeline',
} as const;

/** A contributed command id. */
export type CommandId = (typeof Ids.commands)[keyof typeof Ids.commands];
/** A setting key relative to the section. */
export type SettingKey = (typeof Ids.settings)[keyof typeof Ids.settings];
/** A context key. */
export type ContextKey = (typeof Ids.contextKeys)[keyof typeof Ids.contextKeys];
/** A contributed colour id. */
export type ColorId = (typeof Ids.colors)[keyof typeof Ids.colors];
