/**
 * A command that brings its own TypeScript loader (`node --import tsx`, `mocha --require tsx/cjs`,
 * ts-node, @swc-node/register, esbuild-register) compiles the user's files with it. Its ES-module hooks
 * run before ours (hooks registered later run first) and would be handed our already-compiled
 * CommonJS, which they cannot take; so such a process runs with its loader alone, untraced, and says so.
 */
const KNOWN = /(?:^|[\s=/\\"'])(?:tsx|ts-node|@swc-node[\\/]register|esbuild-register|@esbuild-kit[\\/][\w-]+)(?:$|[\s/\\"'])/;

/** The flags that load code before the program (`--import x`, `--require=x`, `-r x`…), as text. */
function preloadFlags(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const m = /^(--import|--require|-r|--loader|--experimental-loader)(?:=(.*))?$/.exec(w);
    if (m) out.push(m[2] ?? words[i + 1] ?? '');
  }
  return out;
}

/** The TypeScript loader the process was started with (from its flags or NODE_OPTIONS), or null. */
export function foreignTsLoader(execArgv: string[], nodeOptions: string | undefined): string | null {
  const words = [...execArgv, ...(nodeOptions ?? '').split(/\s+/).filter(Boolean)];
  for (const spec of preloadFlags(words)) if (KNOWN.test(` ${spec} `)) return spec.replace(/^["']|["']$/g, '');
  return null;
}

/**
 * A TypeScript loader the program loaded itself (mocha's own `--require tsx/cjs`, a `require('ts-node/register')`):
 * seen at exit among the modules it required, or null.
 */
export function loadedTsLoader(required: string[]): string | null {
  for (const file of required) {
    const m = /[\\/]node_modules[\\/](tsx|ts-node|@swc-node[\\/]register|esbuild-register)[\\/]/.exec(file);
    if (m) return m[1].replace(/\\/g, '/');
  }
  return null;
}
