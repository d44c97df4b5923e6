import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { instrumentFile } from '../../src/instrument';
import { createProjectReader, type ProjectCompile } from '../../src/instrument/projectConfig';
import { mapSpecifier, type PathScope } from '../../src/runtime/pathMapping';

/** Writes `files` (path → text) under a fresh temporary folder and returns it. */
function project(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atl-project-')));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('project settings: which tsconfig applies to a file, and what it says', function () {
  const roots: string[] = [];
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const make = (files: Record<string, string>) => {
    const root = project(files);
    roots.push(root);
    return root;
  };

  it("follows extends into a package's tsconfig in node_modules (like @tsconfig/node20)", () => {
    const root = make({
      'node_modules/@tsconfig/fixture-base/tsconfig.json': JSON.stringify({
        compilerOptions: { target: 'es2020', experimentalDecorators: true },
      }),
      'node_modules/@tsconfig/fixture-base/package.json': JSON.stringify({
        name: '@tsconfig/fixture-base',
        version: '1.0.0',
      }),
      'tsconfig.json': JSON.stringify({
        extends: '@tsconfig/fixture-base/tsconfig.json',
        compilerOptions: { jsx: 'react', jsxFactory: 'h' },
      }),
      'src/a.ts': '',
    });
    const settings = createProjectReader()(path.join(root, 'src/a.ts'));
    assert.ok(settings);
    assert.equal(settings.compile.config, path.join(root, 'tsconfig.json'));
    assert.equal(settings.compile.experimentalDecorators, true);
    // target es2020 from the base, no explicit setting: TypeScript assigns fields (useDefineForClassFields false).
    assert.equal(settings.compile.useDefineForClassFields, false);
    assert.equal(settings.compile.jsx, ts.JsxEmit.React);
    assert.equal(settings.compile.jsxFactory, 'h');
    assert.equal(settings.compile.alwaysStrict, undefined);
    assert.equal(settings.paths, undefined);
  });

  it('takes the nearest tsconfig, only for files its include/exclude take in; never for node_modules', () => {
    const root = make({
      'tsconfig.json': JSON.stringify({
        compilerOptions: { experimentalDecorators: true },
        include: ['src'],
        exclude: ['src/skip'],
      }),
      'src/a.ts': '',
      'src/skip/b.ts': '',
      'scripts/c.ts': '',
      'src/inner/tsconfig.json': JSON.stringify({
        compilerOptions: { useDefineForClassFields: false, strict: true },
      }),
      'src/inner/d.ts': '',
      'node_modules/dep/e.ts': '',
    });
    const read = createProjectReader();
    assert.equal(read(path.join(root, 'src/a.ts'))?.compile.experimentalDecorators, true);
    assert.equal(read(path.join(root, 'src/inner/d.ts'))?.compile.alwaysStrict, true);
    assert.equal(read(path.join(root, 'src/skip/b.ts')), null);
    assert.equal(read(path.join(root, 'scripts/c.ts')), null);
    const inner = read(path.join(root, 'src/inner/d.ts'));
    assert.equal(inner?.compile.config, path.join(root, 'src/inner/tsconfig.json'));
    assert.equal(inner?.compile.experimentalDecorators, undefined);
    assert.equal(inner?.compile.useDefineForClassFields, false);
    assert.equal(read(path.join(root, 'node_modules/dep/e.ts')), null);
  });

  it('resolves paths from the tsconfig that set them when there is no baseUrl, and from baseUrl when there is', () => {
    const root = make({
      'config/base.json': JSON.stringify({ compilerOptions: { paths: { '@lib/*': ['../lib/*'] } } }),
      'app/tsconfig.json': JSON.stringify({ extends: '../config/base.json' }),
      'app/main.ts': '',
      'web/tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: 'src', paths: { '~/*': ['*'] } } }),
      'web/src/main.ts': '',
    });
    const read = createProjectReader();
    const app = read(path.join(root, 'app/main.ts'))?.paths;
    assert.deepEqual(mapSpecifier(app, '@lib/util.js'), [path.join(root, 'lib/util.js')]);
    assert.equal(app?.baseUrl, undefined);
    const web = read(path.join(root, 'web/src/main.ts'))?.paths;
    assert.deepEqual(mapSpecifier(web, '~/x'), [path.join(root, 'web/src/x')]);
    assert.deepEqual(mapSpecifier(web, 'models/user'), [path.join(root, 'web/src/models/user')]);
  });
});

describe('paths mapping: the rules TypeScript applies to a bare specifier', function () {
  const scope: PathScope = {
    config: '/p/tsconfig.json',
    paths: [
      ['@lib/*', ['lib/*', 'fallback/*']],
      ['@lib/special/*', ['special/*']],
      ['@lib/exact', ['exact/index.ts']],
    ],
    pathsBase: '/p',
  };

  it('an exact pattern wins, else the longest prefix; every target in order', () => {
    assert.deepEqual(mapSpecifier(scope, '@lib/exact'), ['/p/exact/index.ts']);
    assert.deepEqual(mapSpecifier(scope, '@lib/special/a.js'), ['/p/special/a.js']);
    assert.deepEqual(mapSpecifier(scope, '@lib/a/b.js'), ['/p/lib/a/b.js', '/p/fallback/a/b.js']);
  });

  it('leaves relative, absolute and URL specifiers alone, and bare ones without a match unless baseUrl is set', () => {
    for (const s of ['./x', '../x', '/abs/x', 'node:fs', 'file:///x.js', 'lodash'])
      assert.deepEqual(mapSpecifier(scope, s), [], s);
    assert.deepEqual(mapSpecifier({ ...scope, baseUrl: '/p/src' }, 'lodash'), ['/p/src/lodash']);
    // A matching pattern decides alone: baseUrl is not tried after it.
    assert.deepEqual(mapSpecifier({ ...scope, baseUrl: '/p/src' }, '@lib/exact'), ['/p/exact/index.ts']);
    assert.deepEqual(mapSpecifier(undefined, '@lib/exact'), []);
  });
});

describe("instrumentFile with the project's settings", function () {
  const compile = (over: Partial<ProjectCompile>): ProjectCompile => ({
    config: '/p/tsconfig.json',
    useDefineForClassFields: true,
    ...over,
  });
  const cls =
    'class Base { set value(v: number) {} }\nexport class A extends Base {\n  value = 42;\n  async go(): Promise<void> { await null; }\n}\n';

  it('legacy decorators with emitDecoratorMetadata compile as tsc emits them (no decorator syntax left for Node)', () => {
    const source =
      'function dec(..._a: unknown[]) {}\nexport class S {\n  @dec\n  async load(id: number): Promise<string> { await null; return String(id); }\n}\n';
    const out = instrumentFile(source, '/p/s.ts', {
      format: 'commonjs',
      trace: true,
      cwd: '/p',
      project: compile({ experimentalDecorators: true, emitDecoratorMetadata: true }),
    });
    assert.match(out.code, /__decorate\(/);
    assert.match(out.code, /__metadata\("design:paramtypes", \[Number\]\)/);
    assert.doesNotMatch(out.code.split('//# sourceMappingURL')[0], /^\s*@dec/m);
  });

  it('standard decorators are lowered for Node, with the method still instrumented', () => {
    const source =
      'function dec(m: unknown, _c: unknown) { return m; }\nexport class S {\n  @dec\n  async load(): Promise<void> { await null; }\n}\n';
    const out = instrumentFile(source, '/p/s.ts', {
      format: 'module',
      trace: true,
      cwd: '/p',
      project: compile({}),
    });
    assert.equal(out.path, 'slow');
    assert.match(out.code, /__esDecorate\(/);
    assert.ok(
      out.sites.some((s) => s[0] === 'method' && s[1] === 4),
      JSON.stringify(out.sites),
    );
  });

  it('useDefineForClassFields false assigns TypeScript fields (the fast path declines them); JavaScript keeps its fields', () => {
    const assign = instrumentFile(cls, '/p/a.ts', {
      format: 'module',
      trace: true,
      cwd: '/p',
      project: compile({ useDefineForClassFields: false }),
    });
    assert.equal(assign.path, 'slow');
    assert.match(assign.fallback ?? '', /useDefineForClassFields/);
    assert.match(assign.code, /this\.value = 42;/);
    const define = instrumentFile(cls, '/p/a.ts', {
      format: 'module',
      trace: true,
      cwd: '/p',
      project: compile({}),
    });
    assert.equal(define.path, 'fast');
    assert.doesNotMatch(define.code, /this\.value = 42/);
    const js = 'class Base {}\nexport class A extends Base {\n  value = 42;\n}\n';
    const jsOut = instrumentFile(js, '/p/a.mjs', {
      format: 'module',
      trace: true,
      cwd: '/p',
      project: compile({ useDefineForClassFields: false }),
    });
    assert.doesNotMatch(jsOut.code, /this\.value = 42/);
  });

  it('strict (alwaysStrict) makes a TypeScript script strict; a JavaScript script stays as written', () => {
    const script = 'function f(this: unknown) { return this; }\nconsole.log(f());\n';
    const strict = instrumentFile(script, '/p/s.ts', {
      format: 'commonjs',
      trace: true,
      cwd: '/p',
      project: compile({ alwaysStrict: true }),
    });
    assert.match(strict.code, /^"use strict";/);
    const sloppy = instrumentFile(script, '/p/s.ts', {
      format: 'commonjs',
      trace: true,
      cwd: '/p',
      project: compile({}),
    });
    assert.doesNotMatch(sloppy.code, /"use strict"/);
    const js = instrumentFile('function f() { return this; }\n', '/p/s.js', {
      format: 'commonjs',
      trace: true,
      cwd: '/p',
      project: compile({ alwaysStrict: true }),
    });
    assert.doesNotMatch(js.code, /"use strict"/);
  });

  it('a failure to instrument that is not a syntax error compiles the file without hooks and says why', () => {
    const prev = process.env.ASYNC_TIMELINE_TEST_UNTRACEABLE;
    process.env.ASYNC_TIMELINE_TEST_UNTRACEABLE = 'a.ts';
    try {
      const out = instrumentFile(cls, '/p/a.ts', {
        format: 'module',
        trace: true,
        cwd: '/p',
        project: compile({}),
      });
      assert.match(out.untraced ?? '', /^could not be instrumented: /);
      assert.deepEqual(out.sites, []);
      assert.doesNotMatch(out.code, /__asyncTimeline/);
      assert.throws(
        () => instrumentFile('const x = ;', '/p/a.ts', { format: 'module', trace: true, cwd: '/p' }),
        { name: 'SourceError' },
      );
    } finally {
      if (prev === undefined) delete process.env.ASYNC_TIMELINE_TEST_UNTRACEABLE;
      else process.env.ASYNC_TIMELINE_TEST_UNTRACEABLE = prev;
    }
  });
});
