// Headless Chromium for every browser test (the viewer's tests and bench in test/webview/, the
// code-server harness in test/integration/): Debian's chromium driven by playwright-core, one set
// of launch flags, a throwaway profile that close() removes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Quiet and reproducible: no sandbox (root in CI), no GPU, nothing that phones home or updates. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Installs Debian's chromium when missing (CI runs on a fresh machine; we are root there). */
export function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  console.log('chromium missing: installing it with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  });
}

/**
 * Launches headless Chromium with a fresh profile (its XDG config and cache dirs inside it, so
 * nothing lands in $HOME). Returns { context, close }; close() also removes the profile.
 * @param {{ viewport?: { width: number, height: number }, deviceScaleFactor?: number }} [opts]
 */
export async function launchChromium({ viewport, deviceScaleFactor = 1 } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'at-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    deviceScaleFactor,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(profile, 'xdg'),
      XDG_CACHE_HOME: path.join(profile, 'xdg'),
    },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
