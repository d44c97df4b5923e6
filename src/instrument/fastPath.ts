/**
 * The fast path: parse once, blank the types out (ts-blank-space: positions stay where they were),
 * and apply the instrumentation as text edits — no TypeScript emit, no printer.
 *
 * It produces the same hooks as the transformer in `transform.ts` (same calls, same evaluation order,
 * same site numbering and site table), decided by the same functions in `rules.ts`. Whatever it cannot
 * prove it reproduces exactly, it declines (returns a reason) and the caller takes the slow path:
 *   - TypeScript that is not erasable (enums, namespaces, parameter properties, `import =`, `export =`,
 *     `<T>x` assertions — whatever ts-blank-space reports), decorators, JSX;
 *   - syntax errors, and TypeScript syntax in a JavaScript file (the slow path reports them);
 *   - imports TypeScript would elide (a binding never used as a value, or shadowed somewhere, or an
 *     import with no value binding at all), exports of type names;
 *   - code inside erased type syntax (e.g. an initializer in an overload signature), nested labels on a
 *     `for await`, line terminators other than `\n` / `\r\n` (source map lines).
 * TypeScript compiled to CommonJS never gets here (its emit rewrites imports and exports).
 */
import ts from 'typescript';
import type * as BlankSpace from 'ts-blank-space' with { 'resolution-mode': 'import' };
import type { SiteEntry, SiteKind } from '../protocol/events';
import {
  callPosition,
  callShape,
  CALLBACKS,
  COMBINATORS,
  createNamer,
  directiveCount,
  engineText,
  ERR,
  hasAsync,
  hasTopLevelAwait,
  isNewPromise,
  RT,
  TASK,
  type FunctionNode,
} from './rules';
import { TextEdits, type Template } from './textEdits';
import { Hook } from '../protocol/hooks';

/** SyntaxKind values as constants: `ts.SyntaxKind.X` is a lookup in a large object, on every node. */
const {
  AbstractKeyword,
  ArrowFunction,
  AwaitExpression,
  BindingElement,
  Block,
  BreakStatement,
  CallExpression,
  CatchClause,
  ClassDeclaration,
  ClassExpression,
  ClassStaticBlockDeclaration,
  Constructor,
  ContinueStatement,
  DeclareKeyword,
  Decorator,
  EnumDeclaration,
  EnumMember,
  ExportDeclaration,
  ExportSpecifier,
  FirstTypeNode,
  ForOfStatement,
  FunctionDeclaration,
  FunctionExpression,
  GetAccessor,
  HeritageClause,
  Identifier,
  ImplementsKeyword,
  ImportClause,
  ImportDeclaration,
  ImportSpecifier,
  IndexSignature,
  InterfaceDeclaration,
  JsxElement,
  JsxFragment,
  JsxSelfClosingElement,
  LabeledStatement,
  LastTypeNode,
  MetaProperty,
  MethodDeclaration,
  ModuleDeclaration,
  NamespaceExport,
  NamespaceImport,
  NewExpression,
  Parameter,
  PropertyAccessExpression,
  PropertyAssignment,
  PropertyDeclaration,
  ReturnStatement,
  SetAccessor,
  TryStatement,
  TypeAliasDeclaration,
  TypeParameter,
  VariableDeclaration,
  VariableStatement,
  YieldExpression,
} = ts.SyntaxKind;

export interface FastInput {
  source: string;
  /** Absolute path. */
  file: string;
  displayPath: string;
  /** The compiler options the slow path would use (module detection must agree). */
  compilerOptions: ts.CompilerOptions;
  trace: boolean;
  siteBase: number;
  registerSites: boolean;
  entry: boolean;
}

export type FastOutput = { code: string; sites: SiteEntry[] } | { fallback: string };

interface Frame {
  coroutine: boolean;
  asyncGenerator: boolean;
}

const NON_COROUTINE: Frame = { coroutine: false, asyncGenerator: false };
const H = Hook;
const WRAP_END = `} catch (${ERR}) { ${RT}.${H.threw}(${TASK}); throw ${ERR}; } finally { ${RT}.${H.finished}(${TASK}); }`;
const tpl = (before: string, after = ''): Template => ({ before, after });
// The edits' texts: `before` + a number (a site id, a kind) + `after`. Each mirrors a rule of transform.ts.
const OPEN_BODY = tpl(`const ${TASK} = ${RT}.${H.enter}(`, '); try {');
const OPEN_BODY_AFTER_DIRECTIVE = tpl(`;const ${TASK} = ${RT}.${H.enter}(`, '); try {');
const OPEN_GENERATOR_BODY = tpl(`const ${TASK} = ${RT}.${H.enterGenerator}(`, '); try {');
const OPEN_GENERATOR_BODY_AFTER_DIRECTIVE = tpl(`;const ${TASK} = ${RT}.${H.enterGenerator}(`, '); try {');
const CLOSE_BODY = tpl(WRAP_END);
const OPEN_ARROW_BODY = tpl(`{ const ${TASK} = ${RT}.${H.enter}(`, '); try { return ');
const ADOPT = tpl(`${RT}.${H.adopt}(${TASK}, `, ', ');
const CLOSE_ARROW_BODY = tpl(`); ${WRAP_END} }`);
// V8 reports these calls at the hook's name: map it to where it reports the original (`all`, `new`).
const COMBINATOR: Template = { before: `${RT}.${H.combinator}(Promise, `, after: ', ', mark: RT.length + 1 };
const NEW_PROMISE: Template = { before: `${RT}.${H.newPromise}(Promise, "Promise", `, after: '', mark: RT.length + 1 };
const CLOSE_PAREN = tpl(')');
const CLOSE_PARENS = tpl('))');
const THEN_RECEIVER = tpl(`${RT}.${H.callback}(`);
const CALL = tpl(`${RT}.${H.call}(${RT}.${H.lastTask}, `);
const CALL_END = tpl(', ', ')');
const RESUME = tpl(`${RT}.${H.resume}(${TASK}, `);
const YIELD_CALL = tpl(`${RT}.${H.yieldCall}(${TASK}, `, `, ${RT}.${H.lastTask}, `);
const YIELD_CALL_END = tpl(', ', '))');
const YIELD = tpl(`${RT}.${H.yield}(${TASK}, `, ', ');
const YIELD_NOTHING = tpl(` ${RT}.${H.yield}(${TASK}, `, ', void 0))');
const OPEN_BLOCK = tpl('{ ');
const CLOSE_BLOCK = tpl(' }');
const FOR_AWAIT = tpl(`${RT}.${H.forAwait}(${TASK}, `, ', ');
const RESUME_STATEMENT = tpl(` ${RT}.${H.resume}(${TASK});`);
const OPEN_BLOCK_RESUME = tpl(`{ ${RT}.${H.resume}(${TASK}); `);
const RESUME_CLOSE_BLOCK = tpl(` ${RT}.${H.resume}(${TASK}); }`);
const RESUME_CAUGHT = tpl(` ${RT}.${H.resumeCaught}(${TASK});`);
const MODULE_END = tpl(`;${RT}.${H.finished}(${TASK});`);

// ts-blank-space is an ES module; this file compiles to CommonJS (tests) or is bundled (esbuild). Node >= 20.19
// loads an ES module through require(), and esbuild inlines it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { blankSourceFile } = require('ts-blank-space') as typeof BlankSpace;

type ModuleIndicatorSetter = (file: ts.SourceFile) => void;
const getSetExternalModuleIndicator = (
  ts as unknown as { getSetExternalModuleIndicator?: (o: ts.CompilerOptions) => ModuleIndicatorSetter }
).getSetExternalModuleIndicator;

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind): boolean =>
  ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);

/** Per SyntaxKind: 0 code, 1 always erased, 2 erased depending on the node, 3 not for the fast path. */
const ERASURE = new Uint8Array(LastTypeNode + 400);
for (let k = FirstTypeNode; k <= LastTypeNode; k++) ERASURE[k] = 1;
for (const k of [TypeParameter, InterfaceDeclaration, TypeAliasDeclaration, IndexSignature, ModuleDeclaration, EnumDeclaration])
  ERASURE[k] = 1; // value namespaces and enums were reported by ts-blank-space already
for (const k of [
  HeritageClause,
  FunctionDeclaration,
  MethodDeclaration,
  Constructor,
  GetAccessor,
  SetAccessor,
  PropertyDeclaration,
  VariableStatement,
  ClassDeclaration,
  Parameter,
  ImportDeclaration,
  ExportDeclaration,
  ImportSpecifier,
  ExportSpecifier,
])
  ERASURE[k] = 2;
for (const k of [Decorator, JsxElement, JsxSelfClosingElement, JsxFragment]) ERASURE[k] = 3;

/** Syntax ts-blank-space erases whole (its subtree leaves no code behind); for ERASURE 2. */
function isErased(node: ts.Node): boolean {
  switch (node.kind) {
    case HeritageClause:
      return (node as ts.HeritageClause).token === ImplementsKeyword;
    case FunctionDeclaration:
    case MethodDeclaration:
    case Constructor:
    case GetAccessor:
    case SetAccessor:
      return (node as ts.FunctionLikeDeclaration).body === undefined;
    case PropertyDeclaration:
      return hasModifier(node, DeclareKeyword) || hasModifier(node, AbstractKeyword);
    case VariableStatement:
    case ClassDeclaration:
      return hasModifier(node, DeclareKeyword);
    case Parameter: {
      const name = (node as ts.ParameterDeclaration).name;
      return ts.isIdentifier(name) && name.escapedText === 'this';
    }
    case ImportDeclaration:
      return !!(node as ts.ImportDeclaration).importClause?.isTypeOnly;
    case ExportDeclaration:
      return (node as ts.ExportDeclaration).isTypeOnly;
    case ImportSpecifier:
    case ExportSpecifier:
      return (node as ts.ImportSpecifier | ts.ExportSpecifier).isTypeOnly;
  }
  return false;
}

/** Code the transformer would visit inside erased syntax: it could own sites, so only the slow path knows. */
function hasCodeInside(node: ts.Node): boolean {
  switch (node.kind) {
    case CallExpression:
    case AwaitExpression:
    case YieldExpression:
    case ArrowFunction:
    case FunctionExpression:
    case ClassExpression:
    case ForOfStatement:
    case Block:
    case Decorator:
      return true;
  }
  return !!ts.forEachChild(node, hasCodeInside);
}

export function instrumentFast(input: FastInput): FastOutput {
  const { source, file, compilerOptions } = input;
  if (/\.[jt]sx$/.test(file)) return { fallback: 'JSX file' };
  if (/[/\\]node_modules[/\\]/.test(file)) return { fallback: 'inside node_modules' };
  if (/\r(?!\n)|[\u2028\u2029]/.test(source))
    return { fallback: 'line terminators other than \\n and \\r\\n' };
  if (!getSetExternalModuleIndicator) return { fallback: 'TypeScript without getSetExternalModuleIndicator' };
  const isTs = /\.[cm]?ts$/.test(file);

  // Parsed exactly as transpileModule parses it (module detection decides top-level-await modules).
  const sf = ts.createSourceFile(
    file,
    source,
    {
      languageVersion: ts.ScriptTarget.ESNext,
      impliedNodeFormat: /\.m[jt]s$/.test(file)
        ? ts.ModuleKind.ESNext
        : /\.c[jt]s$/.test(file)
          ? ts.ModuleKind.CommonJS
          : undefined,
      setExternalModuleIndicator: getSetExternalModuleIndicator(compilerOptions),
      jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
    },
    false,
  );
  if ((sf as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics.length)
    return { fallback: 'syntax error' };

  let blankError: ts.Node | undefined;
  const blanked = blankSourceFile(sf, (n) => (blankError ??= n));
  if (blankError)
    return { fallback: `not erasable: ${ts.SyntaxKind[blankError.kind]} at ${lineOf(sf, blankError)}` };
  if (!isTs && blanked !== source) return { fallback: 'TypeScript syntax in a JavaScript file' };

  const edits = new TextEdits();
  const sites: SiteEntry[] = [];
  const { lineCol, nameFor } = createNamer(sf, input.displayPath);
  const base = input.siteBase;
  const addSite = (kind: SiteKind, node: ts.Node, name?: string): number => {
    const [line, col] = lineCol(node);
    sites.push(name === undefined ? [kind, line, col] : [kind, line, col, name]);
    return base + sites.length - 1;
  };
  const start = (node: ts.Node) => node.getStart(sf);

  let bail: string | null = null;
  const frames: Frame[] = [];
  const parents: ts.Node[] = [];
  const labeledLoops = new Set<ts.Node>();
  // Import elision (TypeScript files): which names are read as values, which are declared elsewhere.
  const valueRefs = new Set<string>();
  const declared = new Set<string>();
  const typeNames = new Set<string>();
  const imports: ts.ImportDeclaration[] = [];
  const exportedLocals: string[] = [];
  const trace = input.trace;
  const inCoroutine = () => frames[frames.length - 1].coroutine;

  const children = (node: ts.Node): void => {
    parents.push(node);
    ts.forEachChild(node, visit);
    parents.pop();
  };
  const visitUnder = (parent: ts.Node, node: ts.Node): void => {
    parents.push(parent);
    visit(node);
    parents.pop();
  };

  const noteIdentifier = (id: ts.Identifier): void => {
    const parent = parents[parents.length - 1];
    const name = id.text;
    switch (parent.kind) {
      case PropertyAccessExpression:
        if ((parent as ts.PropertyAccessExpression).name === id) return;
        break;
      case VariableDeclaration:
      case Parameter:
      case FunctionDeclaration:
      case FunctionExpression:
      case ClassDeclaration:
      case ClassExpression:
        if ((parent as ts.NamedDeclaration).name === id) {
          declared.add(name);
          return;
        }
        break;
      case BindingElement:
        if ((parent as ts.BindingElement).propertyName === id) return;
        if ((parent as ts.BindingElement).name === id) {
          declared.add(name);
          return;
        }
        break;
      case ImportClause:
      case NamespaceImport:
      case ImportSpecifier:
      case NamespaceExport:
      case LabeledStatement:
      case BreakStatement:
      case ContinueStatement:
      case MetaProperty:
        return;
      case ExportSpecifier: {
        const spec = parent as ts.ExportSpecifier;
        const decl = parents[parents.length - 3] as ts.ExportDeclaration;
        if (decl.moduleSpecifier || id !== (spec.propertyName ?? spec.name)) return;
        exportedLocals.push(name);
        break;
      }
      case PropertyAssignment:
      case MethodDeclaration:
      case PropertyDeclaration:
      case GetAccessor:
      case SetAccessor:
      case EnumMember:
        if ((parent as ts.NamedDeclaration).name === id) return;
        break;
    }
    valueRefs.add(name);
  };

  // ---- the rules of transform.ts, as text edits (see there for why each one keeps behaviour)
  const visitFunction = (node: FunctionNode): void => {
    if (!(hasAsync(node) && node.body !== undefined)) {
      frames.push(NON_COROUTINE);
      children(node);
      frames.pop();
      return;
    }
    const generator = !ts.isArrowFunction(node) && !!node.asteriskToken;
    const kind: SiteKind = generator
      ? 'generator'
      : ts.isArrowFunction(node)
        ? 'arrow'
        : ts.isMethodDeclaration(node)
          ? 'method'
          : 'function';
    const site = addSite(kind, node, nameFor(node, parents));
    const body = node.body!;
    if (ts.isBlock(body)) {
      const statements = body.statements;
      const i = directiveCount(statements);
      if (i > 0) {
        const end = statements[i - 1].end;
        const semi = source.charCodeAt(end - 1) === 59;
        edits.insert(
          end,
          generator ? (semi ? OPEN_GENERATOR_BODY : OPEN_GENERATOR_BODY_AFTER_DIRECTIVE) : semi ? OPEN_BODY : OPEN_BODY_AFTER_DIRECTIVE,
          site,
        );
      } else edits.insert(start(body) + 1, generator ? OPEN_GENERATOR_BODY : OPEN_BODY, site);
      frames.push({ coroutine: true, asyncGenerator: generator });
      children(node);
      frames.pop();
      edits.insert(body.end - 1, CLOSE_BODY);
    } else {
      edits.insert(start(body), OPEN_ARROW_BODY, site);
      edits.insert(start(body), ADOPT, addSite('adopt', body));
      frames.push({ coroutine: true, asyncGenerator: generator });
      children(node);
      frames.pop();
      edits.insert(body.end, CLOSE_ARROW_BODY);
    }
  };

  const visitCall = (node: ts.CallExpression): void => {
    const shape = callShape(node);
    if (shape === 'plain') return children(node);
    if (shape === 'combinator') {
      const arg = node.arguments[0];
      const method = (node.expression as ts.PropertyAccessExpression).name.text;
      edits.replace(start(node), start(arg), COMBINATOR, COMBINATORS[method], start((node.expression as ts.PropertyAccessExpression).name));
      visitUnder(node, arg);
      edits.replace(arg.end, node.end, CLOSE_PAREN);
      return;
    }
    if (shape === 'callback') {
      const callee = node.expression as ts.PropertyAccessExpression;
      const method = callee.name.text;
      const site = addSite(method as SiteKind, callee.name);
      const recv = callee.expression;
      edits.insert(start(recv), THEN_RECEIVER);
      parents.push(node);
      visitUnder(callee, recv);
      edits.replaceText(
        recv.end,
        node.arguments.pos,
        `, ${CALLBACKS[method]}, ${site}, ${JSON.stringify(engineText(recv))})(`,
        // The call's `(` maps to where V8 puts `recv.then(…)`: the name (`catch`/`finally`, keywords: the `(`).
        callPosition(sf, node),
      );
      for (const arg of node.arguments) visit(arg);
      parents.pop();
      return;
    }
    const site = addSite('call', node);
    edits.insert(start(node), CALL);
    children(node);
    edits.insert(node.end, CALL_END, site);
  };

  const visitAwait = (node: ts.AwaitExpression): void => {
    const site = addSite('await', node);
    const operand = node.expression;
    edits.insert(start(node), RESUME);
    parents.push(node);
    if (ts.isCallExpression(operand) && callShape(operand) === 'call') {
      // `await f(x)`: the call's bookkeeping folds into the yield hook.
      const callSite = addSite('call', operand);
      edits.insert(start(operand), YIELD_CALL, site);
      children(operand);
      edits.insert(operand.end, YIELD_CALL_END, callSite);
    } else {
      edits.insert(start(operand), YIELD, site);
      visit(operand);
      edits.insert(operand.end, CLOSE_PARENS);
    }
    parents.pop();
  };

  const visitForAwait = (node: ts.ForOfStatement, labeled: boolean): void => {
    const site = addSite('for-await', node);
    if (!labeled) edits.insert(start(node), OPEN_BLOCK);
    parents.push(node);
    visit(node.initializer);
    const expression = node.expression;
    edits.insert(start(expression), FOR_AWAIT, site);
    visit(expression);
    edits.insertText(
      expression.end,
      `, ${JSON.stringify(engineText(expression))}, ${expression.kind === CallExpression})`,
    );
    const body = node.statement;
    if (ts.isBlock(body)) {
      edits.insert(start(body) + 1, RESUME_STATEMENT);
      visit(body);
    } else if (ts.isVariableStatement(body)) {
      // A declaration as the loop body: V8 rejects the program ("Lexical declaration cannot appear in a
      // single-statement context"); a block around it would make it compile. Left as it is.
      visit(body);
    } else {
      edits.insert(start(body), OPEN_BLOCK_RESUME);
      visit(body);
      edits.insert(body.end, CLOSE_BLOCK);
    }
    parents.pop();
    if (!labeled) edits.insert(node.end, RESUME_CLOSE_BLOCK);
  };

  function visit(node: ts.Node): true | undefined {
    if (bail) return true;
    const kind = node.kind;
    if (kind === Identifier) {
      if (isTs) noteIdentifier(node as ts.Identifier);
      return;
    }
    const erasure = ERASURE[kind];
    if (erasure === 3) {
      bail = ts.SyntaxKind[kind];
      return true;
    }
    if (erasure === 1 || (erasure === 2 && isErased(node))) {
      if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && isTs)
        typeNames.add(node.name.text);
      if (hasCodeInside(node)) bail = `code inside erased ${ts.SyntaxKind[kind]}`;
      return;
    }
    // useDefineForClassFields false (the project's): tsc turns fields into assignments in the constructor.
    if (kind === PropertyDeclaration && isTs && compilerOptions.useDefineForClassFields === false) {
      bail = 'class field with useDefineForClassFields false';
      return true;
    }
    if (!trace) {
      if (kind === ImportDeclaration) imports.push(node as ts.ImportDeclaration);
      children(node);
      return;
    }
    switch (kind) {
      case FunctionDeclaration:
      case FunctionExpression:
      case ArrowFunction:
      case MethodDeclaration:
        visitFunction(node as FunctionNode);
        return;
      case Constructor:
      case GetAccessor:
      case SetAccessor:
      case ClassStaticBlockDeclaration:
        // not coroutines; awaits inside belong to nobody we trace
        frames.push(NON_COROUTINE);
        children(node);
        frames.pop();
        return;
      case ImportDeclaration:
        imports.push(node as ts.ImportDeclaration);
        break;
      case AwaitExpression:
        if (inCoroutine()) {
          visitAwait(node as ts.AwaitExpression);
          return;
        }
        break;
      case YieldExpression: {
        const y = node as ts.YieldExpression;
        if (y.asteriskToken && y.expression) {
          // yield* keeps its operand bare (V8 builds its message from the shape); a call still takes its site number
          const operand = y.expression;
          parents.push(node);
          if (ts.isCallExpression(operand) && callShape(operand) === 'call') {
            addSite('call', operand);
            children(operand);
          } else visit(operand);
          parents.pop();
          return;
        }
        if (!y.asteriskToken && inCoroutine() && frames[frames.length - 1].asyncGenerator) {
          const site = addSite('yield', node);
          edits.insert(start(node), RESUME);
          if (y.expression) {
            edits.insert(start(y.expression), YIELD, site);
            visitUnder(node, y.expression);
            edits.insert(y.expression.end, CLOSE_PARENS);
          } else {
            edits.insert(node.end, YIELD_NOTHING, site);
          }
          return;
        }
        break;
      }
      case ForOfStatement:
        if ((node as ts.ForOfStatement).awaitModifier && inCoroutine()) {
          visitForAwait(node as ts.ForOfStatement, labeledLoops.has(node));
          return;
        }
        break;
      case LabeledStatement:
        if (inCoroutine()) {
          const inner = (node as ts.LabeledStatement).statement;
          if (ts.isLabeledStatement(inner)) {
            bail = 'nested labels';
            return true;
          }
          if (ts.isForOfStatement(inner) && inner.awaitModifier) {
            labeledLoops.add(inner);
            edits.insert(start(node), OPEN_BLOCK);
            children(node);
            edits.insert(node.end, RESUME_CLOSE_BLOCK);
            return;
          }
        }
        break;
      case CatchClause:
        if (inCoroutine()) edits.insert(start((node as ts.CatchClause).block) + 1, RESUME_CAUGHT);
        break;
      case TryStatement: {
        const fin = (node as ts.TryStatement).finallyBlock;
        if (fin && inCoroutine()) {
          // the catch clause (visited below) inserts at its own block; the finally block's resume goes in first
          edits.insert(start(fin) + 1, RESUME_CAUGHT);
        }
        break;
      }
      case CallExpression:
        visitCall(node as ts.CallExpression);
        return;
      case ReturnStatement: {
        const expression = (node as ts.ReturnStatement).expression;
        if (expression && inCoroutine() && !frames[frames.length - 1].asyncGenerator) {
          edits.insert(start(expression), ADOPT, addSite('adopt', node));
          visitUnder(node, expression);
          edits.insert(expression.end, CLOSE_PAREN);
          return;
        }
        break;
      }
      case NewExpression:
        if (isNewPromise(node as ts.NewExpression)) {
          const arg = (node as ts.NewExpression).arguments![0];
          edits.replace(start(node), start(arg), NEW_PROMISE, -1, start(node));
          visitUnder(node, arg);
          edits.replace(arg.end, node.end, CLOSE_PAREN);
          return;
        }
        break;
    }
    children(node);
    return;
  }

  // ---- the module: prologue after the directives (and a hashbang), module task around the body
  const moduleIsCoroutine = trace && ts.isExternalModule(sf) && hasTopLevelAwait(sf);
  const moduleSite = moduleIsCoroutine ? addSite('module', sf, `<module ${input.displayPath}>`) : -1;
  const statements = sf.statements;
  const d = directiveCount(statements);
  let prologueAt = 0;
  let prologueLead = '';
  if (d > 0) {
    prologueAt = statements[d - 1].end;
    if (source.charCodeAt(prologueAt - 1) !== 59) prologueLead = ';';
  } else if (source.startsWith('#!')) {
    const nl = source.indexOf('\n');
    prologueAt = nl < 0 ? source.length : nl + 1;
  }
  const prologueSlot = edits.reserve(prologueAt);

  frames.push({ coroutine: moduleIsCoroutine, asyncGenerator: false });
  parents.push(sf);
  ts.forEachChild(sf, visit);
  if (bail) return { fallback: bail };

  // Import elision: TypeScript drops an import binding that is never read as a value (and the whole
  // import when nothing is left); only the slow path decides that the way tsc does.
  for (const imp of imports) {
    const clause = imp.importClause;
    if (!clause) continue;
    const names: string[] = [];
    if (clause.name) names.push(clause.name.text);
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) names.push(nb.name.text);
    if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) if (!e.isTypeOnly) names.push(e.name.text);
    if (names.length === 0) return { fallback: `import without value bindings at ${lineOf(sf, imp)}` };
    if (!isTs) continue;
    for (const name of names) {
      if (declared.has(name)) return { fallback: `import ${name} shadowed at ${lineOf(sf, imp)}` };
      if (!valueRefs.has(name) && !exportedLocals.includes(name))
        return { fallback: `import ${name} not used as a value at ${lineOf(sf, imp)}` };
    }
  }
  for (const name of exportedLocals) if (typeNames.has(name)) return { fallback: `export of type ${name}` };
  for (const s of statements) {
    if (ts.isExportAssignment(s) && ts.isIdentifier(s.expression) && typeNames.has(s.expression.text))
      return { fallback: `export default of type ${s.expression.text}` };
  }

  let prologue = '';
  if (input.entry && trace) prologue += `${RT}.${H.start}();`;
  if (input.registerSites && trace) {
    const table = sites
      .map(
        (s) =>
          `[${s
            .filter((v) => v !== undefined)
            .map((v) => JSON.stringify(v))
            .join(', ')}]`,
      )
      .join(', ');
    prologue += `${RT}.${H.file}(${JSON.stringify(file)}, ${base}, [${table}]);`;
  }
  if (moduleIsCoroutine) {
    prologue += `const ${TASK} = ${RT}.${H.enter}(${moduleSite});`;
    edits.insert(statements[statements.length - 1].end, MODULE_END);
  }
  if (prologue) edits.set(prologueSlot, prologueLead + prologue + ' ');

  const out = edits.apply(blanked, source, outputName(file), file.split(/[/\\]/).pop()!);
  if (!out) return { fallback: 'overlapping edits' };
  const code = `${out.code}${out.code.endsWith('\n') ? '' : '\n'}//# sourceMappingURL=data:application/json;base64,${Buffer.from(out.map).toString('base64')}`;
  return { code, sites };
}

function lineOf(sf: ts.SourceFile, node: ts.Node): string {
  return `line ${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
}

/** The output file name TypeScript would give (the source map's `file`). */
function outputName(file: string): string {
  const name = file.split(/[/\\]/).pop()!;
  return name
    .replace(/\.mts$/, '.mjs')
    .replace(/\.cts$/, '.cjs')
    .replace(/\.ts$/, '.js');
}
