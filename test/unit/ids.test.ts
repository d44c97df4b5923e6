import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_SECTION, Ids } from '../../src/extension/ids';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

describe('extension ids ↔ package.json', () => {
  it('every command id is contributed, and every contributed command has an id', () => {
    const contributed = contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, Object.values(Ids.commands).sort());
    for (const c of contributes.commands) assert.equal(c.category, 'Async Timeline', c.command);
  });

  it('internal commands are not contributed and lens-only commands are hidden from the palette', () => {
    const contributed = new Set(contributes.commands.map((c: { command: string }) => c.command));
    for (const id of Object.values(Ids.internalCommands)) assert.ok(!contributed.has(id), id);
    const hidden = contributes.menus.commandPalette
      .filter((m: { when: string }) => m.when === 'false')
      .map((m: { command: string }) => m.command);
    assert.deepEqual(hidden.sort(), [Ids.commands.runFile, Ids.commands.showInTimeline, Ids.commands.traceTest].sort());
  });

  it('every setting key is contributed with a default, and nothing else is', () => {
    const props = contributes.configuration.properties;
    const keys = Object.values(Ids.settings).map((k) => `${CONFIG_SECTION}.${k}`);
    assert.deepEqual(Object.keys(props).sort(), keys.sort());
    for (const k of keys) assert.ok('default' in props[k], `${k} has a default`);
    assert.equal(props['asyncTimeline.blocking.thresholdMs'].default, 50);
  });

  it('every command and context key used in menus/keybindings exists', () => {
    const commandIds = new Set<string>(Object.values(Ids.commands));
    const whens: string[] = [];
    for (const entries of Object.values(contributes.menus) as { command: string; when?: string }[][]) {
      for (const m of entries) {
        assert.ok(commandIds.has(m.command), m.command);
        if (m.when) whens.push(m.when);
      }
    }
    for (const k of contributes.keybindings) {
      assert.ok(commandIds.has(k.command), k.command);
      whens.push(k.when);
    }
    const used = new Set(whens.flatMap((w) => w.match(/asyncTimeline\.[A-Za-z]+/g) ?? []));
    const known = new Set<string>([...Object.values(Ids.contextKeys), Ids.views.timeline]);
    for (const key of used) assert.ok(known.has(key), `unknown context key ${key}`);
  });

  it('colours, views and the webview panel type match', () => {
    assert.deepEqual(
      contributes.colors.map((c: { id: string }) => c.id).sort(),
      Object.values(Ids.colors).sort(),
    );
    for (const c of contributes.colors) {
      for (const theme of ['dark', 'light', 'highContrast', 'highContrastLight'])
        assert.ok(c.defaults[theme], `${c.id} ${theme}`);
    }
    assert.equal(contributes.viewsContainers.panel[0].id, Ids.views.container);
    assert.equal(contributes.views[Ids.views.container][0].id, Ids.views.timeline);
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${Ids.webviewPanelType}`));
  });

  it('activates lazily and declares limited support in untrusted workspaces', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    // Settings that decide what code runs (or gets rewritten and run) are not taken from an untrusted workspace.
    for (const key of [Ids.settings.nodePath, Ids.settings.instrumentPackages]) {
      assert.ok(
        pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`${CONFIG_SECTION}.${key}`),
        key,
      );
    }
  });
});
