/**
 * What both instrumentation paths share: the hook names, how a call is classified, how coroutines are
 * named, where sites are, and how V8 renders expressions in its messages. The slow path
 * (`transform.ts`, a TypeScript transformer) and the fast path (`fastPath.ts`, text edits) must make
 * the same decisions in the same order; keeping the decisions here is what makes that true.
 */
import ts from 'typescript';
import { CALLBACK_CODES, COMBINATOR_CODES, HOOK_GLOBAL } from '../protocol/hooks';

/** The runtime's global (a global, not a module binding: see src/README.md). */
export const RT = HOOK_GLOBAL;
/** The local holding the running coroutine's task. */
export const TASK = '__atlT';
/** The caught value in the body wrapper. */
export const ERR = '__atlE';

/** How many statements at the start of a body or file form its directive prologue (`'use strict'` …). */
export function directiveCount(statements: readonly ts.Statement[]): number {
  let i = 0;
  while (
    i < statements.length &&
    ts.isExpressionStatement(statements[i]) &&
    ts.isStringLiteral((statements[i] as ts.ExpressionStatement).expression)
  )
    i++;
  return i;
}

export const COMBINATORS: Readonly<Record<string, number>> = COMBINATOR_CODES;
export const CALLBACKS: Readonly<Record<string, number>> = CALLBACK_CODES;

/**
 * `new Promise(executor)` with the global's name and one plain argument: the runtime wraps the executor's
 * resolve/reject to learn which task settled the promise (it constructs whatever `Promise` is at run time,
 * untouched, when that is not the engine's own).
 */
export function isNewPromise(node: ts.NewExpression): boolean {
  const args = node.arguments;
  return (
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'Promise' &&
    args !== undefined &&
    args.length === 1 &&
    !ts.isSpreadElement(args[0])
  );
}

/**
 * How the transform treats a call expression:
 *   - `plain`: left as it is (optional chains, `super(…)`, `import(…)`, `require(…)`), children visited;
 *   - `combinator`: `Promise.all(X)` and friends → `__atl.g(Promise, code, X)`;
 *   - `callback`: `p.then(a)` / `p.catch(a)` / `p.finally(a)` → `__atl.t(p, kind, site, text)(a)`;
 *   - `call`: anything else → `__atl.c(__atl.n, f(args), site)`.
 * Own properties only: `x.toString(16)` is an ordinary call, not a lookup on Object.prototype.
 */
export type CallShape = 'plain' | 'combinator' | 'callback' | 'call';

export function callShape(node: ts.CallExpression): CallShape {
  const callee = node.expression;
  if (
    (node.flags & ts.NodeFlags.OptionalChain) !== 0 ||
    callee.kind === ts.SyntaxKind.SuperKeyword ||
    callee.kind === ts.SyntaxKind.ImportKeyword ||
    (ts.isIdentifier(callee) && callee.text === 'require')
  ) {
    return 'plain';
  }
  if (ts.isPropertyAccessExpression(callee) && !node.arguments.some(ts.isSpreadElement)) {
    const method = callee.name.text;
    if (
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === 'Promise' &&
      Object.hasOwn(COMBINATORS, method) &&
      node.arguments.length === 1
    )
      return 'combinator';
    if (
      Object.hasOwn(CALLBACKS, method) &&
      callee.expression.kind !== ts.SyntaxKind.SuperKeyword &&
      node.arguments.length >= 1
    )
      return 'callback';
  }
  return 'call';
}

/**
 * Where V8 positions a `recv.<method>(…)` call (what a stack frame at it reports): the method name, or for
 * a keyword used as a name (`catch`, `finally`) the opening parenthesis.
 */
export function callPosition(sf: ts.SourceFile, node: ts.CallExpression): number {
  const name = (node.expression as ts.PropertyAccessExpression).name;
  if (ts.isIdentifier(name) && ts.identifierToKeywordKind(name) === undefined) return name.getStart(sf);
  return node.arguments.pos - 1; // the arguments start right after the `(`
}

/**
 * How V8 names an expression in "x is not a function" messages (its CallPrinter), for the shapes
 * that matter; anything else prints as "(intermediate value)" there too.
 */
export function engineText(node: ts.Expression): string {
  if (ts.isParenthesizedExpression(node)) {
    const inner = node.expression;
    if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.CommaToken)
      return `(${engineText(inner.left)} , ${engineText(inner.right)})`;
    return engineText(inner);
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return JSON.stringify(node.text);
  // V8's CallPrinter: an object literal prints one "(intermediate value)" per property, an array its elements.
  if (ts.isObjectLiteralExpression(node)) return `{${'(intermediate value)'.repeat(node.properties.length)}}`;
  if (
    ts.isArrayLiteralExpression(node) &&
    !node.elements.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))
  )
    return `[${node.elements.map((e) => engineText(e)).join(',')}]`;
  if (ts.isNumericLiteral(node)) return node.text;
  if (node.kind === ts.SyntaxKind.NullKeyword) return 'null';
  if (node.kind === ts.SyntaxKind.TrueKeyword) return 'true';
  if (node.kind === ts.SyntaxKind.FalseKeyword) return 'false';
  if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression))
    return `${engineText(node.expression)}.${node.argumentExpression.text}`;
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (node.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (node.kind === ts.SyntaxKind.SuperKeyword) return 'super';
  if (ts.isPropertyAccessExpression(node)) return `${engineText(node.expression)}.${node.name.text}`;
  if (ts.isCallExpression(node)) return `${engineText(node.expression)}(...)`;
  if (ts.isElementAccessExpression(node) && ts.isNumericLiteral(node.argumentExpression))
    return `${engineText(node.expression)}[${node.argumentExpression.text}]`;
  if (
    ts.isNonNullExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isTypeAssertionExpression(node) ||
    ts.isSatisfiesExpression(node)
  )
    return engineText(node.expression);
  return '(intermediate value)';
}

export function hasAsync(node: ts.Node): boolean {
  return (
    !!ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)
  );
}

/** The four function shapes that can be coroutines. */
export type FunctionNode =
  ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

export function isFunctionNode(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node)
  );
}

/** Does the module body (outside any function) use `await` / `for await`? Then the module is a coroutine. */
export function hasTopLevelAwait(sf: ts.SourceFile): boolean {
  let found = false;
  const walk = (node: ts.Node): void => {
    if (found) return;
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) {
      found = true;
      return;
    }
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(sf, walk);
  return found;
}

function propertyNameText(name: ts.PropertyName | undefined): string | null {
  if (!name) return null;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return null;
}

/**
 * A computed key a reader names: a well-known symbol, `[Symbol.asyncIterator]`. Any other computed
 * key (`[key]`, `[prefix + 'x']`) is `[computed]`: its value is only known at run time.
 */
function computedKeyText(name: ts.PropertyName | undefined): string {
  if (
    name &&
    ts.isComputedPropertyName(name) &&
    ts.isPropertyAccessExpression(name.expression) &&
    ts.isIdentifier(name.expression.expression) &&
    name.expression.expression.text === 'Symbol' &&
    ts.isIdentifier(name.expression.name)
  )
    return `[Symbol.${name.expression.name.text}]`;
  return '[computed]';
}

/** `Owner.name`, or `Owner[Symbol.asyncIterator]` for a well-known symbol (`Owner.[computed]` as before). */
function member(owner: string, prop: string): string {
  return prop.startsWith('[Symbol.') ? `${owner}${prop}` : `${owner}.${prop}`;
}

/** HTTP route registrations: `app.get('/user/:id', handler)` names the handler `GET /user/:id`. */
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'all', 'use', 'head', 'options']);
/** Event registrations: `emitter.on('data', handler)` names it `on 'data'`. */
const EVENT_METHODS = new Map([
  ['on', 'on'],
  ['addListener', 'on'],
  ['prependListener', 'on'],
  ['addEventListener', 'on'],
  ['once', 'once'],
  ['prependOnceListener', 'once'],
]);

/**
 * The name of a function passed as an argument, after what registered it, when the code says so
 * plainly: a route method or an event method called with a literal string first and the function
 * after it. Anything less evident (a computed path, a wrapper around the function) stays anonymous.
 */
function registeredName(node: ts.Node, call: ts.CallExpression): string | null {
  const args = call.arguments;
  const at = args.indexOf(node as ts.Expression);
  if (at < 1) return null;
  const first = args[0];
  if (!ts.isStringLiteral(first) && !ts.isNoSubstitutionTemplateLiteral(first)) return null;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) return null;
  const method = callee.name.text;
  if (ROUTE_METHODS.has(method)) return `${method.toUpperCase()} ${first.text}`;
  const verb = EVENT_METHODS.get(method);
  if (verb && at === 1) return `${verb} '${first.text}'`;
  return null;
}

/** Positions and names of one file's sites. */
export interface Namer {
  /** 1-based line and column of the node's first token (after its decorators: declarationStart). */
  lineCol(node: ts.Node): [number, number];
  /** `<anonymous file:line>`. */
  anonymous(node: ts.Node): string;
  /** The name a reader would give the coroutine `node`; `parents` ends with node's parent (walked with forEachChild from the file). */
  nameFor(node: ts.Node, parents: readonly ts.Node[]): string;
}

/**
 * Where a declaration starts for a reader: its first token, or, when decorators precede it, its first
 * modifier (`async`, `static`, …): a decorated method is defined (and gets its lens) on its own line.
 */
export function declarationStart(node: ts.Node, sf: ts.SourceFile): number {
  const first = ts.canHaveModifiers(node) ? ts.getModifiers(node)?.[0] : undefined;
  return first && ts.canHaveDecorators(node) && ts.getDecorators(node)?.length
    ? first.getStart(sf)
    : node.getStart(sf, false);
}

export function createNamer(sf: ts.SourceFile, displayPath: string): Namer {
  const lineCol = (node: ts.Node): [number, number] => {
    const { line, character } = sf.getLineAndCharacterOfPosition(declarationStart(node, sf));
    return [line + 1, character + 1];
  };
  const anonymous = (node: ts.Node) => `<anonymous ${displayPath}:${lineCol(node)[0]}>`;
  const objectOwner = (parents: readonly ts.Node[], i: number): string | null => {
    // an object literal at parents[i]: `const api = { ... }` → "api"
    const p = parents[i - 1];
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (p && ts.isPropertyAssignment(p)) return propertyNameText(p.name);
    return null;
  };
  const className = (cls: ts.ClassLikeDeclaration, parents: readonly ts.Node[], i: number): string => {
    if (cls.name) return cls.name.text;
    const p = parents[i - 1];
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    return '<anonymous class>';
  };
  const nameFor = (node: ts.Node, parents: readonly ts.Node[]): string => {
    const i = parents.length - 1; // parents[i] is node's parent
    const parent = parents[i];
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name) return node.name.text;
    if (
      ts.isFunctionDeclaration(node) &&
      ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
    )
      return 'default';
    if (ts.isMethodDeclaration(node)) {
      const prop = propertyNameText(node.name) ?? computedKeyText(node.name);
      if (parent && ts.isClassLike(parent)) return member(className(parent, parents, i), prop);
      if (parent && ts.isObjectLiteralExpression(parent)) {
        const owner = objectOwner(parents, i);
        return owner ? member(owner, prop) : prop;
      }
      return prop;
    }
    if (!parent) return anonymous(node);
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if (ts.isPropertyAssignment(parent)) {
      const prop = propertyNameText(parent.name) ?? computedKeyText(parent.name);
      const owner = ts.isObjectLiteralExpression(parents[i - 1]) ? objectOwner(parents, i - 1) : null;
      return owner ? member(owner, prop) : prop;
    }
    if (ts.isPropertyDeclaration(parent) && ts.isClassLike(parents[i - 1])) {
      const owner = className(parents[i - 1] as ts.ClassLikeDeclaration, parents, i - 1);
      return member(owner, propertyNameText(parent.name) ?? computedKeyText(parent.name));
    }
    if (ts.isCallExpression(parent)) {
      const registered = registeredName(node, parent);
      if (registered) return registered;
    }
    if (
      ts.isBinaryExpression(parent) &&
      parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      parent.right === node
    ) {
      const left = parent.left;
      if (ts.isIdentifier(left)) return left.text;
      if (ts.isPropertyAccessExpression(left)) return left.getText(sf).replace(/\s+/g, '');
    }
    if (ts.isExportAssignment(parent)) return 'default';
    return anonymous(node);
  };
  return { lineCol, anonymous, nameFor };
}
