/**
 * The launcher for `run -- <command…>` (RunOptions.command): runs the command as given, with the
 * runtime passed down through the environment so that every Node process it starts (npm itself,
 * npx, mocha, `node --test`'s per-file processes) loads the preload and hooks; each writes its own
 * event streams. Nothing is prepared ahead: the host cannot know which files the command will load,
 * so every process instruments the user's files as it loads them (runtime/latePrepare.ts).
 *
 * Which processes are shown: only those that ran traced code (the user's files, or chosen packages).
 * npm, npx and a test runner's own process run nothing of the user's: they would be empty groups, and
 * a process's parent is its nearest traced ancestor (PARENT_ENV is handed on unchanged by those).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { relativeTo, TraceBuilder } from '../core/traceBuilder';
import { MANIFEST_ENV } from '../runtime/manifest';
import { crashSite, nodeManifest, writeManifest, type Launch } from './run';
import type { RunOptions } from './types';

/** Site ids of the files the processes prepare themselves start here (the host registers none). */
const FIRST_SITE = 1;

/** A NODE_OPTIONS word, quoted the way Node splits NODE_OPTIONS (double quotes, backslash escapes). */
function optionWord(word: string): string {
  return /^[^\s"\\]+$/.test(word) ? word : `"${word.replace(/(["\\])/g, '\\$1')}"`;
}

export function launchCommand(opts: RunOptions, entry: string, dist: string): Launch {
  const command = opts.command ?? [];
  if (command.length === 0) throw new Error('no command to run');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'async-timeline-'));
  const trace = opts.instrument !== false;
  // ES-module hooks always: any process may load an ES module the host never saw.
  const manifest = nodeManifest(opts, dist, work, { trace, files: {}, esm: true, lazySiteBase: FIRST_SITE, command: true });
  const manifestPath = writeManifest(manifest, work);
  const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.env ?? {}) };
  const preload = `--require ${optionWord(path.join(dist, 'runtime', 'preload.js'))}`;
  env.NODE_OPTIONS = env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${preload}` : preload;
  env[MANIFEST_ENV] = manifestPath;
  const builder = new TraceBuilder({
    entry: relativeTo(opts.cwd, entry),
    cwd: opts.cwd,
    language: /\.[cm]?tsx?$/.test(entry) ? 'typescript' : 'javascript',
    startedAt: new Date().toISOString(),
  });
  const [program, ...args] = command;
  return {
    command: program,
    args,
    env,
    work,
    eventsFile: manifest.eventsFile,
    streamsDir: manifest.streamsDir,
    stopFile: manifest.stopFile,
    builder,
    cannotStart: (e) => (e.code === 'ENOENT' ? `Cannot start "${program}": not found on PATH.` : `Cannot start "${program}": ${e.message}`),
    crashSite: (error) => crashSite(error.stack, opts.cwd, manifest.ownDir),
  };
}
