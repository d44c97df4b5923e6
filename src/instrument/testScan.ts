/**
 * Finds where the `▶ Trace test` lenses go: the `test(…)`, `it(…)`, `describe(…)` and `suite(…)`
 * calls of a test file of Node's test runner (`node:test` imported or required) or of mocha (the
 * same names used as globals), each with its name as a string literal. Uses the TypeScript
 * parser like scan.ts (never regexes); parsing only, fast enough for every CodeLens request.
 * Whether a file with globals really is a mocha file is the caller's call (it knows the package).
 */
import ts from 'typescript';
import { scriptKindFor } from './scan';

/** `node:test`: the names were imported from Node's test runner; `globals`: used unbound (mocha's style). */
export type TestFramework = 'node:test' | 'globals';

export type TestCallKind = 'test' | 'it' | 'describe' | 'suite' | 'context';

export interface TestInfo {
  /** The function called, as the test framework knows it (not the local alias). */
  kind: TestCallKind;
  /** The test's own name (the string literal). */
  name: string;
  /** Names of the enclosing describe/suite calls, outermost first. */
  parents: string[];
  /** True for describe/suite/context: the lens runs every test inside it. */
  isSuite: boolean;
  /** 1-based line/column of the call. */
  line: number;
  column: number;
}

export interface TestScanResult {
  /** null: no test calls found (no lenses). */
  framework: TestFramework | null;
  tests: TestInfo[];
}

const NODE_TEST_MODULES = new Set(['node:test', 'test']);
const NODE_TEST_NAMES = new Set<TestCallKind>(['test', 'it', 'describe', 'suite']);
const GLOBAL_NAMES = new Set<TestCallKind>(['test', 'it', 'describe', 'suite', 'context']);
const SUITES = new Set<TestCallKind>(['describe', 'suite', 'context']);
/** `it.only(…)`, `describe.skip(…)`: still the same test, worth a lens. */
const MODIFIERS = new Set(['only', 'skip', 'todo']);

/** The literal text of a test name, or undefined when it is computed (no lens: we could not match it exactly). */
function literalName(arg: ts.Expression | undefined): string | undefined {
  if (!arg) return undefined;
  if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return arg.text;
  return undefined;
}

/**
 * The local names bound to Node's test runner functions: `import { it as t } from 'node:test'`,
 * `import test from 'node:test'` (the default export is `test`), `import * as nt`, and the
 * CommonJS `const { describe } = require('node:test')` / `const test = require('node:test')`.
 * Namespaces map to null: `nt.test(…)` is resolved by property name.
 */
function nodeTestBindings(sf: ts.SourceFile): Map<string, TestCallKind | null> {
  const out = new Map<string, TestCallKind | null>();
  const bindNamed = (local: string, imported: string) => {
    if (NODE_TEST_NAMES.has(imported as TestCallKind)) out.set(local, imported as TestCallKind);
  };
  const isRequireOfNodeTest = (e: ts.Expression | undefined): boolean =>
    !!e &&
    ts.isCallExpression(e) &&
    ts.isIdentifier(e.expression) &&
    e.expression.text === 'require' &&
    e.arguments.length === 1 &&
    ts.isStringLiteral(e.arguments[0]) &&
    NODE_TEST_MODULES.has(e.arguments[0].text);
  for (const stmt of sf.statements) {
    if (
      ts.isImportDeclaration(stmt) &&
      ts.isStringLiteral(stmt.moduleSpecifier) &&
      NODE_TEST_MODULES.has(stmt.moduleSpecifier.text)
    ) {
      const clause = stmt.importClause;
      if (!clause) continue;
      if (clause.name) out.set(clause.name.text, 'test');
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) out.set(nb.name.text, null);
      if (nb && ts.isNamedImports(nb))
        for (const el of nb.elements) bindNamed(el.name.text, (el.propertyName ?? el.name).text);
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (!isRequireOfNodeTest(d.initializer)) continue;
        if (ts.isIdentifier(d.name)) out.set(d.name.text, 'test');
        else if (ts.isObjectBindingPattern(d.name))
          for (const el of d.name.elements) {
            if (!ts.isIdentifier(el.name)) continue;
            const imported =
              el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
            bindNamed(el.name.text, imported);
          }
      }
    }
  }
  return out;
}

/** Names declared at the top of the file (a local `function it()` is no mocha global). */
function topLevelDeclared(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const stmt of sf.statements) {
    if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) && stmt.name)
      names.add(stmt.name.text);
    if (ts.isVariableStatement(stmt))
      for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const c = stmt.importClause;
      if (c.name) names.add(c.name.text);
      if (c.namedBindings && ts.isNamedImports(c.namedBindings))
        for (const el of c.namedBindings.elements) names.add(el.name.text);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) names.add(c.namedBindings.name.text);
    }
  }
  return names;
}

/** Lists the tests and suites of a file, outermost first, in source order. */
export function scanTests(text: string, fileName: string): TestScanResult {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindFor(fileName));
  const bindings = nodeTestBindings(sf);
  const framework: TestFramework = bindings.size ? 'node:test' : 'globals';
  const declared = framework === 'globals' ? topLevelDeclared(sf) : new Set<string>();

  /** What test function a call's callee names, or undefined when it is no test call. */
  const calleeKind = (callee: ts.Expression): TestCallKind | undefined => {
    // `it.only(…)`: look through the modifier.
    if (ts.isPropertyAccessExpression(callee) && MODIFIERS.has(callee.name.text)) {
      const inner = calleeKind(callee.expression);
      if (inner) return inner;
    }
    if (framework === 'node:test') {
      if (ts.isIdentifier(callee)) return bindings.get(callee.text) ?? undefined;
      // `nt.test(…)` on a namespace import, or `test.describe(…)` on the default export.
      if (
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        bindings.has(callee.expression.text)
      ) {
        const name = callee.name.text as TestCallKind;
        return NODE_TEST_NAMES.has(name) ? name : undefined;
      }
      return undefined;
    }
    if (
      ts.isIdentifier(callee) &&
      GLOBAL_NAMES.has(callee.text as TestCallKind) &&
      !declared.has(callee.text)
    )
      return callee.text as TestCallKind;
    return undefined;
  };

  const tests: TestInfo[] = [];
  const visit = (node: ts.Node, parents: string[]): void => {
    if (ts.isCallExpression(node)) {
      const kind = calleeKind(node.expression);
      const name = kind ? literalName(node.arguments[0]) : undefined;
      if (kind && name !== undefined) {
        const lc = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        const isSuite = SUITES.has(kind);
        tests.push({ kind, name, parents, isSuite, line: lc.line + 1, column: lc.character + 1 });
        // Tests nested in a suite are named under it; a test's own subtests (`t.test`) are not scanned.
        const inner = isSuite ? [...parents, name] : parents;
        for (const a of node.arguments.slice(1)) visit(a, inner);
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, parents));
  };
  ts.forEachChild(sf, (child) => visit(child, []));
  return { framework: tests.length ? framework : null, tests };
}
