/**
 * Finds where the `▶ Run with Timeline` lenses go: every async function, method and arrow
 * (and async generator) in a file, plus the file's entry point (the first top-level statement
 * that does something: a call or a top-level await). Uses the TypeScript parser, never regexes;
 * parsing only (no type checking), so it is fast enough to run on every CodeLens request.
 */
import ts from 'typescript';
import { declarationStart } from './rules';

export type AsyncFunctionKind = 'function' | 'method' | 'arrow' | 'generator';

export interface AsyncFunctionInfo {
  /** Best-effort name: `worker1`, `Crawler.fetch`, `handler` (named arrow), or `<anonymous>`. */
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

function propertyName(
  name: ts.PropertyName | ts.BindingName | undefined,
  sf: ts.SourceFile,
): string | undefined {
  if (!name) return undefined;
  if (
    ts.isIdentifier(name) ||
    ts.isPrivateIdentifier(name) ||
    ts.isStringLiteral(name) ||
    ts.isNumericLiteral(name)
  )
    return name.text;
  return name.getText(sf);
}

function enclosingClassName(node: ts.Node): string | undefined {
  const parent = node.parent;
  if (parent && (ts.isClassDeclaration(parent) || ts.isClassExpression(parent))) {
    if (parent.name) return parent.name.text;
    const holder = parent.parent;
    if (holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) return holder.name.text;
  }
  return undefined;
}

/** The name a function expression or arrow gets from where it is assigned. */
function contextualName(node: ts.Node, sf: ts.SourceFile): string | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    const n = propertyName(parent.name, sf);
    if (ts.isPropertyDeclaration(parent)) {
      const cls = enclosingClassName(parent);
      return cls && n ? `${cls}.${n}` : n;
    }
    return n;
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return parent.left.getText(sf);
  }
  return undefined;
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

  const visit = (node: ts.Node, inFunction: boolean): void => {
    const isFn =
      ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node);
    if (isFn && isAsync(node)) {
      const generator = !ts.isArrowFunction(node) && node.asteriskToken !== undefined;
      let name: string | undefined;
      let kind: AsyncFunctionKind;
      if (ts.isMethodDeclaration(node)) {
        const n = propertyName(node.name, sf);
        const cls = enclosingClassName(node);
        name = cls && n ? `${cls}.${n}` : n;
        kind = 'method';
      } else if (ts.isFunctionDeclaration(node)) {
        name = node.name?.text;
        kind = 'function';
      } else if (ts.isFunctionExpression(node)) {
        name = node.name?.text ?? contextualName(node, sf);
        kind = 'function';
      } else {
        name = contextualName(node, sf);
        kind = 'arrow';
      }
      functions.push({
        name: name ?? '<anonymous>',
        kind: generator ? 'generator' : kind,
        ...position(node),
      });
    }
    if (!inFunction && (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)))
      topLevelAwait = true;
    const nested = inFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, nested));
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
