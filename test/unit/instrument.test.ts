import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { instrumentFile, SourceError, type InstrumentOptions } from '../../src/instrument';
import { formatOf } from '../../src/runtime/moduleFormat';

const ROOT = path.resolve(__dirname, '../../..');
const FIX = path.join(ROOT, 'test/fixtures/instrument');
const cwd = FIX;

function instrument(
  name: string,
  format: 'module' | 'commonjs' = 'commonjs',
  trace = true,
  pathChoice: InstrumentOptions['path'] = 'auto',
) {
  const file = path.join(FIX, name);
  return instrumentFile(fs.readFileSync(file, 'utf8'), file, { format, trace, cwd, path: pathChoice });
}

const withoutMap = (code: string) => code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');

function sourceMapOf(code: string): SourceMap {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)/.exec(code);
  assert.ok(m, 'inline source map');
  return new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
}

/** 0-based line/column of the first occurrence of `needle` in generated code. */
function positionOf(code: string, needle: string, nth = 0): { line: number; column: number } {
  let idx = -1;
  for (let i = 0; i <= nth; i++) idx = code.indexOf(needle, idx + 1);
  assert.ok(idx >= 0, `${needle} not found`);
  const before = code.slice(0, idx).split('\n');
  return { line: before.length - 1, column: before[before.length - 1].length };
}

describe('instrument: golden outputs', () => {
  // Regenerate with UPDATE_GOLDEN=1 after an intended change, then read the diff. `*.expected.js` pins the
  // slow path (the TypeScript transformer), `*.fast.expected.js` the fast path (text edits) on the same input.
  for (const [name, format, which] of [
    ['basics.ts', 'commonjs', 'slow'],
    ['loops.mjs', 'module', 'slow'],
    ['names.ts', 'module', 'slow'],
    ['basics.ts', 'module', 'fast'],
    ['loops.mjs', 'module', 'fast'],
    ['names.ts', 'module', 'fast'],
  ] as const) {
    it(`${name} (${format}, ${which} path)`, () => {
      const result = instrument(name, format, true, which === 'slow' ? 'slow' : 'auto');
      assert.equal(result.path, which, result.fallback);
      // The site table names the file by its absolute path: keep goldens independent of the checkout's location.
      const out = withoutMap(result.code).split(FIX).join('<fixtures>');
      const golden = path.join(
        FIX,
        which === 'slow' ? `${name}.expected.js` : `${name}.${format}.fast.expected.js`,
      );
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, out);
      assert.equal(out, fs.readFileSync(golden, 'utf8'));
    });
  }
});

describe('instrument: transform rules', () => {
  it('keeps prologue directives first and wraps the body once', () => {
    const { code } = instrument('basics.ts');
    assert.ok(code.startsWith('"use strict";') || code.startsWith("'use strict';"), code.slice(0, 40));
    assert.equal(
      (code.match(/__asyncTimeline\.e\(/g) ?? []).length,
      2,
      'two coroutines (worker, main); sleep and the then-callback are not async',
    );
  });

  it('never changes what an await awaits: y() hands back the operand itself', () => {
    const { code } = instrument('basics.ts');
    // `await f()` folds the call bookkeeping into the yield hook; the awaited operand is still the call's own value
    assert.match(
      code,
      /__asyncTimeline\.r\(__atlT, await __asyncTimeline\.ya\(__atlT, \d+, __asyncTimeline\.n, sleep\(10\), \d+\)\)/,
    );
    assert.match(code, /await __asyncTimeline\.y\(__atlT, \d+, __asyncTimeline\.g\(Promise, 1, tasks\)\)/);
  });

  it('records a resume at the top of catch and finally blocks', () => {
    const { code } = instrument('basics.ts');
    assert.match(code, /catch \(err\) \{\s*__asyncTimeline\.rc\(__atlT\);/);
    assert.match(
      code,
      /finally \{\s*__asyncTimeline\.rc\(__atlT\);\s*__asyncTimeline\.c\(__asyncTimeline\.n, console\.log\('done'\)/,
    );
  });

  it('keeps labels on for-await loops and resumes after them', () => {
    const { code } = instrument('loops.mjs', 'module');
    assert.match(
      code,
      /\{\s*outer: for await \(const n of __asyncTimeline\.fa\(__atlT, \d+, __asyncTimeline\.c\(__asyncTimeline\.n, numbers\(\), \d+\), "numbers\(\.\.\.\)", true\)\) \{\s*__asyncTimeline\.r\(__atlT\);/,
    );
    assert.match(code, /continue outer;/);
    assert.match(
      code,
      /const __atlT = __asyncTimeline\.e\(\d+\);/,
      'the module with top-level for-await is a coroutine',
    );
  });

  it('plain mode only transpiles', () => {
    const { code, sites } = instrument('basics.ts', 'commonjs', false);
    assert.ok(!code.includes('__asyncTimeline'));
    assert.deepEqual(sites, []);
    assert.match(code, /exports\.worker = worker/);
  });

  it('leaves CommonJS JavaScript sloppy (no "use strict" added), on both paths', () => {
    const file = path.join(FIX, 'sloppy.cjs');
    for (const which of ['auto', 'slow'] as const) {
      const { code } = instrumentFile('async function f() { await null; return this; }\nf();\n', file, {
        format: 'commonjs',
        trace: true,
        cwd,
        path: which,
      });
      assert.ok(!code.includes('use strict'));
    }
  });

  it('treats x.toString(16) and o.hasOwnProperty(k) as plain calls (then/catch/finally and all/race/… are own names only)', () => {
    const file = path.join(FIX, 'protoNames.mjs');
    const src = 'const n = 5;\nconsole.log(n.toString(16), {}.hasOwnProperty("x"), Promise.toString(1));\n';
    for (const which of ['auto', 'slow'] as const) {
      const { sites, code } = instrumentFile(src, file, { format: 'module', trace: true, cwd, path: which });
      assert.deepEqual(
        sites.map((s) => s[0]),
        ['call', 'call', 'call', 'call'],
      );
      assert.ok(!code.includes('__asyncTimeline.t('), code);
    }
  });
});

describe('instrument: sites and names', () => {
  it('names coroutines as a reader would', () => {
    const { sites } = instrument('names.ts', 'module');
    const names = sites.filter((s) => s[3] !== undefined).map((s) => s[3]);
    assert.deepEqual(names, [
      'Crawler.fetch',
      'Crawler.create',
      'Crawler.handler',
      'api.get',
      'api.put',
      'inner',
      'arrow',
      'assigned',
      '<anonymous names.ts:14>',
      'default',
    ]);
  });

  it('names a handler after what registered it when the code says so, on both paths', () => {
    const file = path.join(FIX, 'registered.ts');
    const src = [
      "import { EventEmitter } from 'node:events';",
      'declare const app: any; declare const router: any; declare const el: any; declare const path: string;',
      "app.get('/user/:id', async (req: any, res: any) => { await req; });",
      'router.post(`/items`, auth, async function (req: any) { await req; });',
      "app.use('/static', async () => { await null; });",
      'const emitter = new EventEmitter();',
      "emitter.on('data', async (chunk: unknown) => { await chunk; });",
      "emitter.once('end', async () => { await null; });",
      "el.addEventListener('click', async () => { await null; });",
      'app.get(path, async () => { await null; });',
      "app.get('/wrapped', wrap(async () => { await null; }));",
      "emitter.emit('data', async () => { await null; });",
      'class Feed { async *[Symbol.asyncIterator]() { yield 1; await null; } async [path]() { await null; } }',
      'const o = { async *[Symbol.asyncIterator]() { await null; } };',
      'function auth() {} function wrap(f: unknown) { return f; }',
    ].join('\n');
    for (const which of ['auto', 'slow'] as const) {
      const { sites } = instrumentFile(src, file, { format: 'module', trace: true, cwd, path: which });
      const names = sites.filter((x) => x[3] !== undefined).map((x) => x[3]);
      assert.deepEqual(
        names,
        [
          'GET /user/:id',
          'POST /items',
          'USE /static',
          "on 'data'",
          "once 'end'",
          "on 'click'",
          '<anonymous registered.ts:10>',
          '<anonymous registered.ts:11>',
          '<anonymous registered.ts:12>',
          'Feed[Symbol.asyncIterator]',
          'Feed.[computed]',
          'o[Symbol.asyncIterator]',
        ],
        which,
      );
    }
  });

  it('gives 1-based positions in the original source', () => {
    const { sites } = instrument('basics.ts');
    const awaits = sites.filter((s) => s[0] === 'await');
    assert.deepEqual(
      awaits.map(([, l, c]) => [l, c]),
      [
        [5, 3],
        [12, 5],
      ],
    );
    const worker = sites.find((s) => s[3] === 'worker');
    assert.deepEqual(worker?.slice(0, 3), ['function', 4, 1]);
    const thenSite = sites.find((s) => s[0] === 'then');
    assert.deepEqual(thenSite?.slice(0, 3), ['then', 18, 12]);
  });

  for (const [format, which] of [
    ['commonjs', 'slow'],
    ['module', 'fast'],
  ] as const)
    it(`maps generated code back to the original through the inline source map (${which} path)`, () => {
      const { code, path: taken } = instrument('basics.ts', format);
      assert.equal(taken, which);
      const map = sourceMapOf(code);
      // The `sleep(10)` call inside the first await, and `Promise.all` in the second.
      const sleepCall = positionOf(code, 'sleep(10)');
      const e1 = map.findEntry(sleepCall.line, sleepCall.column) as {
        originalLine: number;
        originalColumn: number;
      };
      assert.deepEqual([e1.originalLine + 1, e1.originalColumn + 1], [5, 9]);
      const consoleDone = positionOf(code, "console.log('done')");
      const e2 = map.findEntry(consoleDone.line, consoleDone.column) as {
        originalLine: number;
        originalColumn: number;
      };
      assert.deepEqual([e2.originalLine + 1, e2.originalColumn + 1], [16, 5]);
    });
});

describe('instrument: the parser reads what V8 reads', () => {
  const paths = ['auto', 'slow'] as const;

  it('a script (CommonJS) may use `await` as an identifier, on both paths; a module may not', () => {
    const src =
      'var await = [];\nconsole.log(await instanceof Array, await `x`);\nasync function f() { return await g(); }\n';
    for (const which of paths) {
      const { code, sites } = instrumentFile(src, path.join(FIX, 'awaitId.cjs'), {
        format: 'commonjs',
        trace: true,
        cwd,
        path: which,
      });
      assert.ok(
        code.includes('console.log(await instanceof Array, await `x`)') ||
          code.includes('await instanceof Array'),
        code,
      );
      assert.ok(!/\u0251/.test(code), 'a mask was left in the output');
      // f's own await is still traced: the keyword inside the async function is untouched.
      assert.deepEqual(
        sites.map((s) => s[0]).filter((k) => k === 'await'),
        ['await'],
        which,
      );
      // The embedded original is the program's own text.
      const map = JSON.parse(
        Buffer.from(code.slice(code.lastIndexOf('base64,') + 7), 'base64').toString('utf8'),
      );
      assert.equal(map.sourcesContent[0], src);
    }
    for (const which of paths)
      assert.throws(
        () =>
          instrumentFile(src, path.join(FIX, 'awaitId.mjs'), {
            format: 'module',
            trace: true,
            cwd,
            path: which,
          }),
        SourceError,
      );
  });

  it('`let` + line break after a for-await head is an expression statement, not a declaration (both paths)', () => {
    const src = 'async function f(xs) {\n  for await (const x of xs) let\n  {}\n}\n';
    for (const which of paths) {
      const { code } = instrumentFile(src, path.join(FIX, 'asiLet.js'), {
        format: 'commonjs',
        trace: true,
        cwd,
        path: which,
      });
      // Runs as V8 reads the original: `let;` then an empty block — a declaration would not compile.
      assert.doesNotThrow(() => new Function(code.replace(/\/\/# sourceMappingURL=.*$/m, '')), which);
      assert.ok(!/\u0269/.test(code), 'a mask was left in the output');
    }
  });

  it('a .js file Node runs as an ES module is parsed as a module (top-level await traced)', () => {
    const src = 'await null;\nconsole.log(1);\n';
    for (const which of paths) {
      const { sites } = instrumentFile(src, path.join(FIX, 'typeModule.js'), {
        format: 'module',
        trace: true,
        cwd,
        path: which,
      });
      assert.deepEqual(
        sites.map((s) => s[0]),
        ['module', 'await', 'call'],
        which,
      );
    }
  });
});

describe('instrument: errors', () => {
  for (const format of ['commonjs', 'module'] as const)
    it(`a syntax error is a SourceError at file:line:column (${format})`, () => {
      assert.throws(
        () =>
          instrumentFile('async function f() {\n  await (1 +;\n}\n', path.join(FIX, 'bad.ts'), {
            format,
            trace: true,
            cwd,
          }),
        (err: unknown) =>
          err instanceof SourceError &&
          err.message === 'bad.ts:2:13: Expression expected.' &&
          err.line === 2 &&
          err.column === 13,
      );
    });

  it('TypeScript syntax in a JavaScript file is a SourceError (the fast path does not blank it away)', () => {
    assert.throws(
      () =>
        instrumentFile('const x: number = 1;\n', path.join(FIX, 'typed.mjs'), {
          format: 'module',
          trace: true,
          cwd,
        }),
      (err: unknown) => err instanceof SourceError && err.line === 1,
    );
  });
});

/** Every source file of the differential corpus, the examples and the fixtures here. */
function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else if (/\.(js|mjs|cjs|ts|mts|cts)$/.test(name) && !name.endsWith('.expected.js')) out.push(full);
    }
  };
  for (const dir of ['test/fixtures/diff', 'test/fixtures/instrument', 'examples'])
    walk(path.join(ROOT, dir));
  return out;
}

describe('instrument: the fast path is the slow path, faster', () => {
  const files = corpusFiles();
  const taken: Record<string, string[]> = { fast: [], slow: [] };

  for (const file of files) {
    const rel = path.relative(ROOT, file);
    it(`${rel}: same sites, same hooks`, () => {
      const source = fs.readFileSync(file, 'utf8');
      const format = formatOf(file);
      for (const options of [
        { trace: true, entry: false, registerSites: false, siteBase: 1 },
        { trace: true, entry: true, registerSites: true, siteBase: 40 },
        // TypeScript compiled to CommonJS stays on the slow path; its files still exercise the fast path as ES modules.
        ...(/\.c?ts$/.test(file) && format === 'commonjs'
          ? [{ trace: true, entry: false, registerSites: false, siteBase: 1, format: 'module' as const }]
          : []),
      ]) {
        const auto = instrumentFile(source, file, { format, cwd: ROOT, ...options });
        if ('format' in options)
          taken[auto.path].push(`${rel} as an ES module${auto.fallback ? ` (${auto.fallback})` : ''}`);
        const slow = instrumentFile(source, file, { format, cwd: ROOT, ...options, path: 'slow' });
        assert.equal(slow.path, 'slow');
        assert.deepEqual(auto.sites, slow.sites, `${rel}: site tables differ`);
        assert.deepEqual(auto.imports, slow.imports);
        // The same hooks with the same arguments, in the same order (the text around them differs).
        // Comments stay where the fast path found them and move with TypeScript's printer: leave them out.
        const hooks = (code: string) =>
          (
            withoutMap(code)
              .replace(/\/\*[^]*?\*\/|\/\/ [^\n]*/g, '')
              .match(/__asyncTimeline\.\w+\([^()]*/g) ?? []
          ).map((h) => h.replace(/\s+/g, ''));
        assert.deepEqual(hooks(auto.code), hooks(slow.code), `${rel}: hooks differ`);
        if (options.entry) taken[auto.path].push(`${rel}${auto.fallback ? ` (${auto.fallback})` : ''}`);
      }
    });
  }

  it('takes the fast path for every JavaScript and ES-module TypeScript file of the corpus', () => {
    const slowJsOrEsm = taken.slow.filter(
      (f) =>
        (!f.includes(' as an ES module') && /\.(js|mjs|cjs|mts)( |$)/.test(f)) ||
        (/\.ts( |$)/.test(f) && formatOf(path.join(ROOT, f.split(' ')[0])) === 'module'),
    );
    assert.deepEqual(slowJsOrEsm, [], `fast: ${taken.fast.length}, slow: ${taken.slow.length}`);
    assert.ok(taken.fast.length >= 60, `only ${taken.fast.length} files on the fast path`);
    if (process.env.SHOW_PATHS) console.log(taken);
  });

  for (const [what, source, file, reason] of [
    ['an enum', 'enum E { A }\nexport const x = E.A;\n', 'e.mts', /EnumDeclaration/],
    [
      'a namespace',
      'namespace N { export const a = 1; }\nexport const x = N.a;\n',
      'n.mts',
      /ModuleDeclaration/,
    ],
    [
      'a parameter property',
      'export class C { constructor(private a: number) {} }\n',
      'p.mts',
      /PrivateKeyword/,
    ],
    ['a decorator', 'declare const d: any;\nexport class C { @d m() {} }\n', 'd.mts', /Decorator/],
    [
      'an import used only as a type',
      "import { T } from './t';\nexport const x: T = 1;\n",
      'i.mts',
      /not used as a value/,
    ],
    [
      'an import shadowed by a parameter',
      "import { a } from './t';\nexport const f = (a: number) => a;\n",
      's.mts',
      /shadowed/,
    ],
    [
      'an import with no value binding',
      "import { type T } from './t';\nexport const x: T = 1;\n",
      'v.mts',
      /without value bindings/,
    ],
    ['an export of an interface', 'interface I { a: 1 }\nexport { I };\n', 'x.mts', /export of type/],
    ['TypeScript compiled to CommonJS', 'export const x = 1;\n', 'c.cts', /CommonJS/],
  ] as const) {
    it(`falls back to the slow path for ${what}`, () => {
      const format = file.endsWith('.cts') ? 'commonjs' : 'module';
      const out = instrumentFile(source, path.join(FIX, file), { format, trace: true, cwd });
      assert.equal(out.path, 'slow');
      assert.match(out.fallback ?? '', reason);
    });
  }

  it('keeps imports read as values, in types too', () => {
    const out = instrumentFile(
      "import { a, type T } from './t';\nimport def from './d';\nexport const x: T = a(def);\n",
      path.join(FIX, 'k.mts'),
      { format: 'module', trace: true, cwd },
    );
    assert.equal(out.path, 'fast', out.fallback);
    assert.match(out.code, /^import \{ a,\s+\} from '\.\/t';/);
  });
});

/** Stand-in hooks that keep each hook's contract (hand back the value, read `then` when bound) and record every call. */
const RECORDING_HOOKS = `
const calls = [];
const rec = (...a) => calls.push(a.join(' '));
let tasks = 0;
const CALLBACK = ['then', 'catch', 'finally'];
globalThis.__asyncTimeline = {
  n: 0,
  s() { rec('s'); },
  file(f, base, sites) { rec('file', base, JSON.stringify(sites)); },
  e(site) { rec('e', site); return ++tasks; },
  eg(site) { rec('eg', site); return ++tasks; },
  ad(t, site, v) { rec('ad', t, site); return v; },
  np(P, text, ex) { rec('np', text); return new P(ex); },
  x(t) { rec('x', t); },
  f(t) { rec('f', t); },
  r(t, v) { rec('r', t); return v; },
  rc(t) { rec('rc', t); },
  y(t, site, v) { rec('y', t, site); return v; },
  ya(t, site, n, v, callSite) { rec('ya', t, site, callSite); return v; },
  c(n, v, site) { rec('c', site); return v; },
  g(P, kind, x) { rec('g', kind); return P[['', 'all', 'allSettled', 'race', 'any'][kind]](x); },
  t(p, kind, site, text) {
    rec('t', kind, site, text);
    const then = p[CALLBACK[kind]];
    return (...args) => then.apply(p, args);
  },
  fa(t, site, it, text, isCall) { rec('fa', t, site, text, isCall); return it; },
};
process.on('exit', () => console.log('hooks: ' + calls.length + ' calls\\n' + calls.join('\\n')));
`;

describe('instrument: both paths run the same', () => {
  it('edgeCases.mts (glued words, ASI, comments, erased types next to hooks): same output, same hook calls', () => {
    const file = path.join(FIX, 'edgeCases.mts');
    const source = fs.readFileSync(file, 'utf8');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-paths-'));
    try {
      const hooks = path.join(dir, 'hooks.cjs');
      fs.writeFileSync(hooks, RECORDING_HOOKS);
      const outputs: Record<string, string> = {};
      for (const which of ['fast', 'slow'] as const) {
        const r = instrumentFile(source, file, {
          format: 'module',
          trace: true,
          cwd: FIX,
          entry: true,
          registerSites: true,
          path: which === 'slow' ? 'slow' : 'auto',
        });
        assert.equal(r.path, which, r.fallback);
        const out = path.join(dir, `${which}.mjs`);
        fs.writeFileSync(out, r.code);
        outputs[which] = execFileSync(process.execPath, ['--require', hooks, out], { encoding: 'utf8' });
      }
      assert.match(outputs.fast, /^01 gen 0\n[^]*hooks: \d{3,} calls/);
      assert.equal(outputs.fast, outputs.slow);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
