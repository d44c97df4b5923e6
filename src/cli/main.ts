/**
 * Entry of the `async-timeline` command (bundled to dist/cli.js). Parses the command line, runs
 * the command, and turns every failure into an exit status and one readable line — never a
 * stack trace for the user's mistakes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCliArgs, USAGE, UsageError } from './args';
import { EXIT_USAGE, runCommand, type CliIo } from './runCommand';
import { explainTraceFile } from './explainCommand';

function version(distDir: string): string {
  // package.json ships next to dist/ (the bundle is dist/cli.js).
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(distDir, '..', 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI on `argv` (without node and the script); resolves with the exit status. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const cmd = parseCliArgs(argv);
    switch (cmd.command) {
      case 'help':
        io.stdout.write(USAGE);
        return 0;
      case 'version':
        io.stdout.write(`async-timeline ${version(io.distDir)}\n`);
        return 0;
      case 'run':
        return await runCommand(cmd, io);
      case 'explain':
        return explainTraceFile(cmd, io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`async-timeline: ${err.message}\nRun 'async-timeline --help' for usage.\n`);
      return EXIT_USAGE;
    }
    // Our own bug or an environment problem (e.g. node not found): one line, plus the stack
    // only when asked, since it is ours and not the user's program.
    const e = err as Error;
    io.stderr.write(`async-timeline: ${e.message}\n`);
    if (io.env.ASYNC_TIMELINE_DEBUG) io.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  const io: CliIo = {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    distDir: __dirname,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
  void main(process.argv.slice(2), io).then(async (code) => {
    // The run is over and everything is written: exit now rather than when the last stray timer
    // or handle in a library lets the loop drain. An empty write's callback fires once every
    // earlier write to that stream is flushed, so no output is lost on async (Windows) pipes.
    process.exitCode = code;
    await Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write('', r))));
    process.exit(code);
  });
}
