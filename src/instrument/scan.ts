/**
 * Finds where the `▶ Run with Timeline` lenses go: every async function, method and arrow
 * (and async generator) in a file, plus the file's entry point (the first top-level statement
 * that does something: a call or a top-level await). Uses the TypeScript parser, never regexes;
 * parsing only (no type checking), so it is fast enough to run on every CodeLens request.
 */
import ts from 'typescript';
import path from 'node:path';
import { createNamer, declarationStart } from './rules';

export type AsyncFunctionKind = 'function' | 'method' | 'arrow' | 'generator';

export interface AsyncFunctionInfo {
  /**
   * The name the trace gives the coroutine (the instrumenter's one namer, rules.ts): `worker1`,
   * `Crawler.fetch`, `api.get`, `GET /user/:id`, `on 'data'`, or `<anonymous file:line>` (with the
   * scanned file's base name).
   */
  name: string;
  kind: AsyncFunctionKind;
  /** 1-based line/column where the declaration starts (decorators and comments excluded). */
  line: number;
  column: number;
}

export interface ScanResult {
  functions: AsyncFunctionInfo[];
  /** 1-based line of the entry point (the first top-level call or await); 1 when there is none. */
  entryLine: number;
  /** True when the module uses top-level `await` / `for await`. */
  topLevelAwait: boolean;
}

/** The script kind TypeScript should parse a file as, by its extension. */
export function scriptKindFor(fileName: string): ts.ScriptKind {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(lower)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function isAsync(node: ts.Node): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)
  );
}

/** Lists the async functions of a source file and its entry point. */
export function scanAsyncFunctions(text: string, fileName: string): ScanResult {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindFor(fileName));
  const functions: AsyncFunctionInfo[] = [];
  let topLevelAwait = false;

  const position = (node: ts.Node) => {
    // Skip decorators: the lens belongs on the line of the declaration itself (as its definition site).
    const lc = sf.getLineAndCharacterOfPosition(declarationStart(node, sf));
    return { line: lc.line + 1, column: lc.character + 1 };
  };

  const namer = createNamer(sf, path.basename(fileName));
  const parents: ts.Node[] = [];
  const visit = (node: ts.Node, inFunction: boolean): void => {
    const isFn =
      ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node);
    if (isFn && isAsync(node)) {
      const generator = !ts.isArrowFunction(node) && node.asteriskToken !== undefined;
      const kind: AsyncFunctionKind = ts.isMethodDeclaration(node)
        ? 'method'
        : ts.isArrowFunction(node)
          ? 'arrow'
          : 'function';
      functions.push({
        name: namer.nameFor(node, parents),
        kind: generator ? 'generator' : kind,
        ...position(node),
      });
    }
    if (!inFunction && (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)))
      topLevelAwait = true;
    const nested = inFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
    parents.push(node);
    ts.forEachChild(node, (child) => visit(child, nested));
    parents.pop();
  };
  ts.forEachChild(sf, (child) => visit(child, false));

  // The entry point: the first top-level statement that starts work (a call, `new`, or a
  // top-level await). Declarations that merely compute a value (`const t0 = performance.now()`)
  // only count when nothing else does.
  const startsWork = (node: ts.Node): boolean => {
    let found = false;
    const look = (n: ts.Node): void => {
      if (found || ts.isFunctionLike(n) || ts.isClassLike(n)) return;
      if (
        ts.isCallExpression(n) ||
        ts.isAwaitExpression(n) ||
        ts.isNewExpression(n) ||
        (ts.isForOfStatement(n) && n.awaitModifier)
      ) {
        found = true;
        return;
      }
      ts.forEachChild(n, look);
    };
    look(node);
    return found;
  };
  const hasAwait = (node: ts.Node): boolean => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) return true;
    return ts.forEachChild(node, hasAwait) ?? false;
  };
  let entryLine = 0;
  let fallback = 0;
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isImportDeclaration(stmt))
      continue;
    if (ts.isVariableStatement(stmt)) {
      if (hasAwait(stmt)) {
        entryLine = position(stmt).line;
        break;
      }
      if (!fallback && startsWork(stmt)) fallback = position(stmt).line;
      continue;
    }
    if (startsWork(stmt)) {
      entryLine = position(stmt).line;
      break;
    }
  }
  entryLine ||= fallback || 1;
  return { functions, entryLine, topLevelAwait };
}
