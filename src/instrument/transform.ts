/**
 * The source transform, as a TypeScript `before` transformer (it sees the original syntax tree,
 * types included; TypeScript then strips types and emits JS with a source map to the original).
 * This is the slow path: `fastPath.ts` applies the same rules as text edits for the files it can, and
 * must stay in step with every rule here (the decisions both share live in `rules.ts`).
 *
 * Rules (each keeps the program's behaviour, including the order of microtasks):
 *   async function body        → `const __atlT = __atl.e(site); try { body } catch (e) { __atl.x(__atlT); throw e } finally { __atl.f(__atlT) }`
 *                                 (prologue directives stay first; rethrowing the same value is transparent; async
 *                                 generators start with `__atl.eg(site)`: their call hands back no promise)
 *   return E (async function)  → `return __atl.ad(__atlT, site, E)` (a concise arrow body likewise): E itself unless it is
 *                                 a thenable, then an object whose `then` the engine reads when it would have read E's
 *                                 and which calls E's then: same reads, same jobs, and the task settles when E does
 *   new Promise(executor)      → `__atl.np(Promise, "Promise", executor)`: the same construction; resolve/reject wrapped
 *                                 to note which task called them
 *   await E                    → `__atl.r(__atlT, await __atl.y(__atlT, site, E))`: y records the yield and returns E's
 *                                 value itself, so the await awaits exactly what it did before: no extra tick
 *   await f(args)              → `__atl.r(__atlT, await __atl.ya(__atlT, site, __atl.n, f(args), callSite))`: the same,
 *                                 with the call-site bookkeeping of c() folded in
 *   catch / finally blocks     → start with `__atl.rc(__atlT)`: an await that rejected resumes right there
 *   for await (x of E) S       → `{ for await (x of __atl.fa(__atlT, site, E)) { __atl.r(__atlT); S } __atl.r(__atlT) }`
 *   yield E (async generators) → `__atl.r(__atlT, yield __atl.y(__atlT, site, E))`
 *   f(args)                    → `__atl.c(__atl.n, f(args), site)`: links a task created by the call to its call site
 *                                 and its promise to the task (the callee itself is untouched: this/eval/super stay)
 *   Promise.all(X) (+allSettled, race, any) → `__atl.g(Promise, code, X)`: the same call, remembering the group
 *   p.then(a[, b]) / p.catch(a) / p.finally(a) → `__atl.t(p, kind, site, text)(a[, b])`: t reads p.then right where the
 *                                 original did (before the arguments), the returned function checks and calls it exactly as
 *                                 the engine would (same TypeError text), wrapping callbacks on task promises to record them
 *   module with top-level await → a `module` task around the module body
 *
 * Hook names come from `protocol/hooks.ts` (`Hook.enter` is `e`, …). `__atl` stands for the global `__asyncTimeline` (a global, not a module binding: functions of a module in an
 * ES module cycle can run before the module's own body). Site ids are numeric literals: the host gives every
 * file its base, so no per-module state is needed at all.
 */
import ts from 'typescript';
import type { SiteEntry, SiteKind } from '../protocol/events';
import { Hook, type HookName } from '../protocol/hooks';
import { callPosition, callShape, CALLBACKS, COMBINATORS, createNamer, directiveCount, engineText, ERR, hasAsync, hasTopLevelAwait, isFunctionNode, isNewPromise, RT, TASK, type FunctionNode } from './rules';

export { engineText } from './rules';

interface Frame {
  /** This function (or module) is a traced coroutine: awaits inside it belong to it. */
  coroutine: boolean;
  asyncGenerator: boolean;
}

export interface TransformState {
  sites: SiteEntry[];
  /** Site id of this file's site 0. */
  siteBase: number;
  /** Emit a registration of the site table (files prepared inside the traced program, not by the host). */
  registerSites: boolean;
  /** Mark t = 0 here (the program's entry file). */
  entry: boolean;
}

/** Is `node` a call `__atl.<method>(…)` that this transform generated? */
function isRuntimeCall(node: ts.CallExpression, method: HookName): boolean {
  const callee = node.expression;
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === RT &&
    callee.name.text === method &&
    node.arguments.length === 3
  );
}

export function createTransformer(displayPath: string, absPath: string, state: TransformState): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sf) => {
    const f = context.factory;
    const frames: Frame[] = [];
    /** For-await statements whose trailing resume the enclosing labeled statement adds. */
    const labeledLoops = new Set<ts.Node>();
    /** Names of coroutines, computed with parents known (pre-pass). */
    const names = new Map<ts.Node, string>();

    const { lineCol, anonymous, nameFor } = createNamer(sf, displayPath);
    const addSite = (kind: SiteKind, node: ts.Node, name?: string): number => {
      const [line, col] = lineCol(node);
      state.sites.push(name === undefined ? [kind, line, col] : [kind, line, col, name]);
      return state.sites.length - 1;
    };
    const siteExpr = (k: number): ts.Expression => f.createNumericLiteral(state.siteBase + k);
    const rt = (method: HookName, args: ts.Expression[]): ts.CallExpression =>
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RT), method), undefined, args);
    /** A hook call standing in for the program's call `at`: V8 reports it at the hook's name, mapped to `at`. */
    const rtAt = (method: HookName, args: ts.Expression[], at: ts.Node): ts.CallExpression => {
      const name = f.createIdentifier(method);
      ts.setSourceMapRange(name, { pos: at.getStart(sf), end: at.end });
      ts.setEmitFlags(name, ts.EmitFlags.NoTrailingSourceMap);
      return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RT), name), undefined, args);
    };
    const task = () => f.createIdentifier(TASK);
    const stmt = (e: ts.Expression) => f.createExpressionStatement(e);
    const top = (): Frame | undefined => frames[frames.length - 1];
    const inCoroutine = () => top()?.coroutine === true;

    // ---- names: the pre-pass walks with a parent stack (the parser's parent pointers may be unset)
    const parents: ts.Node[] = [];
    const prepass = (node: ts.Node): void => {
      if (
isFunctionNode(node) && hasAsync(node)
      ) {
        names.set(node, nameFor(node, parents));
      }
      parents.push(node);
      ts.forEachChild(node, prepass);
      parents.pop();
    };
    prepass(sf);

    // ---- the body wrapper shared by every async function
    const wrapBody = (statements: readonly ts.Statement[], site: number, generator: boolean): ts.Statement[] => {
      const i = directiveCount(statements);
      const directives = statements.slice(0, i);
      const rest = statements.slice(i);
      return [
        ...directives,
        f.createVariableStatement(
          undefined,
          f.createVariableDeclarationList([f.createVariableDeclaration(TASK, undefined, undefined, rt(generator ? Hook.enterGenerator : Hook.enter, [siteExpr(site)]))], ts.NodeFlags.Const),
        ),
        f.createTryStatement(
          f.createBlock(rest, true),
          f.createCatchClause(
            f.createVariableDeclaration(ERR),
            f.createBlock([stmt(rt(Hook.threw, [task()])), f.createThrowStatement(f.createIdentifier(ERR))], true),
          ),
          f.createBlock([stmt(rt(Hook.finished, [task()]))], true),
        ),
      ];
    };

    const visitFunction = (node: FunctionNode): ts.Node => {
      const coroutine = hasAsync(node) && node.body !== undefined;
      if (!coroutine) {
        frames.push({ coroutine: false, asyncGenerator: false });
        const out = ts.visitEachChild(node, visitor, context);
        frames.pop();
        return out;
      }
      const generator = !ts.isArrowFunction(node) && !!node.asteriskToken;
      const kind: SiteKind = generator ? 'generator' : ts.isArrowFunction(node) ? 'arrow' : ts.isMethodDeclaration(node) ? 'method' : 'function';
      const site = addSite(kind, node, names.get(node) ?? anonymous(node));
      // A concise arrow body is a `return` of its expression: its adopt site comes first, as in the fast path.
      const conciseSite = ts.isBlock(node.body!) ? -1 : addSite('adopt', node.body!);
      frames.push({ coroutine: true, asyncGenerator: generator });
      const visited = ts.visitEachChild(node, visitor, context) as FunctionNode;
      frames.pop();
      const body = visited.body!;
      const statements = ts.isBlock(body)
        ? body.statements
        : [f.createReturnStatement(rt(Hook.adopt, [task(), siteExpr(conciseSite), body as ts.Expression]))];
      const block = f.createBlock(wrapBody(statements, site, generator), true);
      ts.setTextRange(block, body);
      if (ts.isFunctionDeclaration(visited))
        return f.updateFunctionDeclaration(visited, visited.modifiers, visited.asteriskToken, visited.name, visited.typeParameters, visited.parameters, visited.type, block);
      if (ts.isFunctionExpression(visited))
        return f.updateFunctionExpression(visited, visited.modifiers, visited.asteriskToken, visited.name, visited.typeParameters, visited.parameters, visited.type, block);
      if (ts.isArrowFunction(visited))
        return f.updateArrowFunction(visited, visited.modifiers, visited.typeParameters, visited.parameters, visited.type, visited.equalsGreaterThanToken, block);
      return f.updateMethodDeclaration(
        visited as ts.MethodDeclaration,
        (visited as ts.MethodDeclaration).modifiers,
        (visited as ts.MethodDeclaration).asteriskToken,
        (visited as ts.MethodDeclaration).name,
        (visited as ts.MethodDeclaration).questionToken,
        visited.typeParameters,
        visited.parameters,
        visited.type,
        block,
      );
    };

    const prependResume = (block: ts.Block): ts.Block =>
      f.updateBlock(block, [stmt(rt(Hook.resumeCaught, [task()])), ...block.statements]);

    const visitForAwait = (node: ts.ForOfStatement, labeled: boolean): ts.Statement => {
      const site = addSite('for-await', node);
      const initializer = ts.visitNode(node.initializer, visitor) as ts.ForInitializer;
      const expression = ts.visitNode(node.expression, visitor) as ts.Expression;
      const body = ts.visitNode(node.statement, visitor) as ts.Statement;
      const bodyStatements = ts.isBlock(body) ? body.statements : [body];
      const loop = f.updateForOfStatement(
        node,
        node.awaitModifier,
        initializer,
        rt(Hook.forAwait, [task(), siteExpr(site), expression, f.createStringLiteral(engineText(node.expression)), node.expression.kind === ts.SyntaxKind.CallExpression ? f.createTrue() : f.createFalse()]),
        // A declaration as the body is a V8 syntax error: a block around it would make it compile.
        ts.isVariableStatement(node.statement) ? body : f.createBlock([stmt(rt(Hook.resume, [task()])), ...bodyStatements], true),
      );
      if (labeled) return loop;
      return f.createBlock([loop, stmt(rt(Hook.resume, [task()]))], true);
    };

    const visitCall = (node: ts.CallExpression): ts.Node => {
      const shape = callShape(node);
      if (shape === 'plain') return ts.visitEachChild(node, visitor, context);
      if (shape === 'combinator') {
        // Promise.all(X) and friends
        const method = (node.expression as ts.PropertyAccessExpression).name.text;
        return rtAt(
          Hook.combinator,
          [f.createIdentifier('Promise'), f.createNumericLiteral(COMBINATORS[method]), ts.visitNode(node.arguments[0], visitor) as ts.Expression],
          (node.expression as ts.PropertyAccessExpression).name,
        );
      }
      if (shape === 'callback') {
        // p.then(a) / p.then(a, b) / p.catch(a) / p.finally(a)
        const callee = node.expression as ts.PropertyAccessExpression;
        const method = callee.name.text;
        const site = addSite(method as SiteKind, callee.name);
        const recv = ts.visitNode(callee.expression, visitor) as ts.Expression;
        const args = node.arguments.map((a) => ts.visitNode(a, visitor) as ts.Expression);
        const text = f.createStringLiteral(engineText(callee.expression));
        // The last mapped token before the call's `(` maps to V8's position for `recv.then(…)`.
        const at = callPosition(sf, node);
        ts.setSourceMapRange(text, { pos: at, end: at + 1 });
        ts.setEmitFlags(text, ts.EmitFlags.NoTrailingSourceMap); // the `)(` after it must not map to the name's end
        const bound = rt(Hook.callback, [recv, f.createNumericLiteral(CALLBACKS[method]), siteExpr(site), text]);
        return f.createCallExpression(bound, undefined, args);
      }
      const site = addSite('call', node);
      const visited = ts.visitEachChild(node, visitor, context);
      return rt(Hook.call, [f.createPropertyAccessExpression(f.createIdentifier(RT), Hook.lastTask), visited, siteExpr(site)]);
    };

    const visitor = (node: ts.Node): ts.VisitResult<ts.Node> => {
      if (isFunctionNode(node)) {
        return visitFunction(node);
      }
      if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) {
        // constructors, accessors, static blocks: not coroutines; awaits inside belong to nobody we trace
        frames.push({ coroutine: false, asyncGenerator: false });
        const out = ts.visitEachChild(node, visitor, context);
        frames.pop();
        return out;
      }
      if (ts.isAwaitExpression(node) && inCoroutine()) {
        const site = addSite('await', node);
        const operand = ts.visitNode(node.expression, visitor) as ts.Expression;
        // `await f(x)`: fold the call's c() into the yield (one hook, no WeakMap entry for the promise).
        if (ts.isCallExpression(operand) && isRuntimeCall(operand, Hook.call)) {
          const [n0, call, callSite] = operand.arguments;
          return rt(Hook.resume, [task(), f.updateAwaitExpression(node, rt(Hook.yieldCall, [task(), siteExpr(site), n0, call, callSite]))]);
        }
        return rt(Hook.resume, [task(), f.updateAwaitExpression(node, rt(Hook.yield, [task(), siteExpr(site), operand]))]);
      }
      if (ts.isYieldExpression(node) && inCoroutine() && top()!.asyncGenerator && !node.asteriskToken) {
        const site = addSite('yield', node);
        const operand = node.expression ? (ts.visitNode(node.expression, visitor) as ts.Expression) : f.createVoidZero();
        return rt(Hook.resume, [task(), f.updateYieldExpression(node, undefined, rt(Hook.yield, [task(), siteExpr(site), operand]))]);
      }
      if (ts.isYieldExpression(node) && node.asteriskToken && node.expression) {
        // yield* delegates (the inner iterator's awaits are its own): leave the operand bare, since the engine's
        // "yield* … is not async iterable" message is built from its shape.
        const operand = ts.visitNode(node.expression, visitor) as ts.Expression;
        const bare = ts.isCallExpression(operand) && isRuntimeCall(operand, Hook.call) ? operand.arguments[1] : operand;
        return f.updateYieldExpression(node, node.asteriskToken, bare);
      }
      if (ts.isForOfStatement(node) && node.awaitModifier && inCoroutine()) {
        return visitForAwait(node, labeledLoops.has(node));
      }
      if (ts.isLabeledStatement(node) && inCoroutine()) {
        let inner: ts.Statement = node.statement;
        while (ts.isLabeledStatement(inner)) inner = inner.statement;
        if (ts.isForOfStatement(inner) && inner.awaitModifier) {
          labeledLoops.add(inner);
          const visited = ts.visitEachChild(node, visitor, context);
          return f.createBlock([visited, stmt(rt(Hook.resume, [task()]))], true);
        }
      }
      if (ts.isCatchClause(node) && inCoroutine()) {
        const visited = ts.visitEachChild(node, visitor, context);
        return f.updateCatchClause(visited, visited.variableDeclaration, prependResume(visited.block));
      }
      if (ts.isTryStatement(node) && node.finallyBlock && inCoroutine()) {
        const visited = ts.visitEachChild(node, visitor, context);
        return f.updateTryStatement(visited, visited.tryBlock, visited.catchClause, prependResume(visited.finallyBlock!));
      }
      if (ts.isReturnStatement(node) && node.expression && inCoroutine() && !top()!.asyncGenerator) {
        // `return E`: the task's promise adopts E when it is a thenable (the runtime decides)
        const site = addSite('adopt', node);
        const expression = ts.visitNode(node.expression, visitor) as ts.Expression;
        return f.updateReturnStatement(node, rt(Hook.adopt, [task(), siteExpr(site), expression]));
      }
      if (ts.isNewExpression(node) && isNewPromise(node)) {
        const arg = ts.visitNode(node.arguments![0], visitor) as ts.Expression;
        return rtAt(Hook.newPromise, [f.createIdentifier('Promise'), f.createStringLiteral('Promise'), arg], node);
      }
      if (ts.isCallExpression(node)) return visitCall(node);
      return ts.visitEachChild(node, visitor, context);
    };

    // ---- the module
    const moduleIsCoroutine = ts.isExternalModule(sf) && hasTopLevelAwait(sf);
    let moduleSite = -1;
    if (moduleIsCoroutine) moduleSite = addSite('module', sf, `<module ${displayPath}>`);
    frames.push({ coroutine: moduleIsCoroutine, asyncGenerator: false });
    const visited = ts.visitEachChild(sf, visitor, context);
    frames.pop();

    const i = directiveCount(visited.statements);
    const directives = visited.statements.slice(0, i);
    const prologue: ts.Statement[] = [];
    if (state.entry) prologue.push(stmt(rt(Hook.start, [])));
    if (state.registerSites) {
      const sitesLiteral = f.createArrayLiteralExpression(
        state.sites.map((s) => f.createArrayLiteralExpression(s.filter((v) => v !== undefined).map((v) => (typeof v === 'number' ? f.createNumericLiteral(v) : f.createStringLiteral(v))))),
      );
      prologue.push(stmt(rt(Hook.file, [f.createStringLiteral(absPath), f.createNumericLiteral(state.siteBase), sitesLiteral])));
    }
    let body = visited.statements.slice(i);
    if (moduleIsCoroutine) {
      prologue.push(
        f.createVariableStatement(
          undefined,
          f.createVariableDeclarationList([f.createVariableDeclaration(TASK, undefined, undefined, rt(Hook.enter, [siteExpr(moduleSite)]))], ts.NodeFlags.Const),
        ),
      );
      body = [...body, stmt(rt(Hook.finished, [task()]))];
    }
    return f.updateSourceFile(visited, [...directives, ...prologue, ...body]);
  };
}
