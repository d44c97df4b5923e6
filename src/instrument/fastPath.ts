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
  callShape,
  CALLBACKS,
  COMBINATORS,
  createNamer,
  engineText,
  ERR,
  hasAsync,
  hasTopLevelAwait,
  RT,
  TASK,
  type FunctionNode,
} from './rules';
import { TextEdits } from './textEdits';

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
const R = `${RT}.r(${TASK}`;
const WRAP_END = `} catch (${ERR}) { ${RT}.x(${TASK}); throw ${ERR}; } finally { ${RT}.f(${TASK}); }`;

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

/** Syntax ts-blank-space erases whole (its subtree leaves no code behind). */
function isErased(node: ts.Node): boolean {
  const k = node.kind;
  if (k >= ts.SyntaxKind.FirstTypeNode && k <= ts.SyntaxKind.LastTypeNode) return true;
  switch (k) {
    case ts.SyntaxKind.TypeParameter:
    case ts.SyntaxKind.InterfaceDeclaration:
    case ts.SyntaxKind.TypeAliasDeclaration:
    case ts.SyntaxKind.IndexSignature:
    case ts.SyntaxKind.ModuleDeclaration: // value namespaces were reported by ts-blank-space already
    case ts.SyntaxKind.EnumDeclaration:
      return true;
    case ts.SyntaxKind.HeritageClause:
      return (node as ts.HeritageClause).token === ts.SyntaxKind.ImplementsKeyword;
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
      return (node as ts.FunctionLikeDeclaration).body === undefined;
    case ts.SyntaxKind.PropertyDeclaration:
      return (
        hasModifier(node, ts.SyntaxKind.DeclareKeyword) || hasModifier(node, ts.SyntaxKind.AbstractKeyword)
      );
    case ts.SyntaxKind.VariableStatement:
    case ts.SyntaxKind.ClassDeclaration:
      return hasModifier(node, ts.SyntaxKind.DeclareKeyword);
    case ts.SyntaxKind.Parameter: {
      const name = (node as ts.ParameterDeclaration).name;
      return ts.isIdentifier(name) && name.escapedText === 'this';
    }
    case ts.SyntaxKind.ImportDeclaration:
      return !!(node as ts.ImportDeclaration).importClause?.isTypeOnly;
    case ts.SyntaxKind.ExportDeclaration:
      return (node as ts.ExportDeclaration).isTypeOnly;
    case ts.SyntaxKind.ImportSpecifier:
    case ts.SyntaxKind.ExportSpecifier:
      return (node as ts.ImportSpecifier | ts.ExportSpecifier).isTypeOnly;
  }
  return false;
}

/** Code the transformer would visit inside erased syntax: it could own sites, so only the slow path knows. */
function hasCodeInside(node: ts.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.CallExpression:
    case ts.SyntaxKind.AwaitExpression:
    case ts.SyntaxKind.YieldExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassExpression:
    case ts.SyntaxKind.ForOfStatement:
    case ts.SyntaxKind.Block:
    case ts.SyntaxKind.Decorator:
      return true;
  }
  return !!ts.forEachChild(node, hasCodeInside);
}

const FORBIDDEN: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.Decorator,
  ts.SyntaxKind.JsxElement,
  ts.SyntaxKind.JsxSelfClosingElement,
  ts.SyntaxKind.JsxFragment,
]);

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
      case ts.SyntaxKind.PropertyAccessExpression:
        if ((parent as ts.PropertyAccessExpression).name === id) return;
        break;
      case ts.SyntaxKind.VariableDeclaration:
      case ts.SyntaxKind.Parameter:
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.ClassDeclaration:
      case ts.SyntaxKind.ClassExpression:
        if ((parent as ts.NamedDeclaration).name === id) {
          declared.add(name);
          return;
        }
        break;
      case ts.SyntaxKind.BindingElement:
        if ((parent as ts.BindingElement).propertyName === id) return;
        if ((parent as ts.BindingElement).name === id) {
          declared.add(name);
          return;
        }
        break;
      case ts.SyntaxKind.ImportClause:
      case ts.SyntaxKind.NamespaceImport:
      case ts.SyntaxKind.ImportSpecifier:
      case ts.SyntaxKind.NamespaceExport:
      case ts.SyntaxKind.LabeledStatement:
      case ts.SyntaxKind.BreakStatement:
      case ts.SyntaxKind.ContinueStatement:
      case ts.SyntaxKind.MetaProperty:
        return;
      case ts.SyntaxKind.ExportSpecifier: {
        const spec = parent as ts.ExportSpecifier;
        const decl = parents[parents.length - 3] as ts.ExportDeclaration;
        if (decl.moduleSpecifier || id !== (spec.propertyName ?? spec.name)) return;
        exportedLocals.push(name);
        break;
      }
      case ts.SyntaxKind.PropertyAssignment:
      case ts.SyntaxKind.MethodDeclaration:
      case ts.SyntaxKind.PropertyDeclaration:
      case ts.SyntaxKind.GetAccessor:
      case ts.SyntaxKind.SetAccessor:
      case ts.SyntaxKind.EnumMember:
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
    const open = `const ${TASK} = ${RT}.e(${site}); try {`;
    if (ts.isBlock(body)) {
      const statements = body.statements;
      let i = 0;
      while (
        i < statements.length &&
        ts.isExpressionStatement(statements[i]) &&
        ts.isStringLiteral((statements[i] as ts.ExpressionStatement).expression)
      )
        i++;
      if (i > 0) {
        const end = statements[i - 1].end;
        edits.insert(end, (source.charCodeAt(end - 1) === 59 ? '' : ';') + open);
      } else edits.insert(start(body) + 1, open);
      frames.push({ coroutine: true, asyncGenerator: generator });
      children(node);
      frames.pop();
      edits.insert(body.end - 1, WRAP_END);
    } else {
      edits.insert(start(body), `{ ${open} return `);
      frames.push({ coroutine: true, asyncGenerator: generator });
      children(node);
      frames.pop();
      edits.insert(body.end, `; ${WRAP_END} }`);
    }
  };

  const visitCall = (node: ts.CallExpression): void => {
    const shape = callShape(node);
    if (shape === 'plain') return children(node);
    if (shape === 'combinator') {
      const arg = node.arguments[0];
      const method = (node.expression as ts.PropertyAccessExpression).name.text;
      edits.replace(start(node), start(arg), `${RT}.g(Promise, ${COMBINATORS[method]}, `);
      visitUnder(node, arg);
      edits.replace(arg.end, node.end, ')');
      return;
    }
    if (shape === 'callback') {
      const callee = node.expression as ts.PropertyAccessExpression;
      const method = callee.name.text;
      const site = addSite(method as SiteKind, callee.name);
      const recv = callee.expression;
      edits.insert(start(recv), `${RT}.t(`);
      parents.push(node);
      visitUnder(callee, recv);
      edits.replace(
        recv.end,
        node.arguments.pos,
        `, ${CALLBACKS[method]}, ${site}, ${JSON.stringify(engineText(recv))})(`,
      );
      for (const arg of node.arguments) visit(arg);
      parents.pop();
      return;
    }
    const site = addSite('call', node);
    edits.insert(start(node), `${RT}.c(${RT}.n, `);
    children(node);
    edits.insert(node.end, `, ${site})`);
  };

  const visitAwait = (node: ts.AwaitExpression): void => {
    const site = addSite('await', node);
    const operand = node.expression;
    edits.insert(start(node), `${R}, `);
    parents.push(node);
    if (ts.isCallExpression(operand) && callShape(operand) === 'call') {
      // `await f(x)`: the call's bookkeeping folds into the yield hook.
      const callSite = addSite('call', operand);
      edits.insert(start(operand), `${RT}.ya(${TASK}, ${site}, ${RT}.n, `);
      children(operand);
      edits.insert(operand.end, `, ${callSite}))`);
    } else {
      edits.insert(start(operand), `${RT}.y(${TASK}, ${site}, `);
      visit(operand);
      edits.insert(operand.end, '))');
    }
    parents.pop();
  };

  const visitForAwait = (node: ts.ForOfStatement, labeled: boolean): void => {
    const site = addSite('for-await', node);
    if (!labeled) edits.insert(start(node), '{ ');
    parents.push(node);
    visit(node.initializer);
    const expression = node.expression;
    edits.insert(start(expression), `${RT}.fa(${TASK}, ${site}, `);
    visit(expression);
    edits.insert(
      expression.end,
      `, ${JSON.stringify(engineText(expression))}, ${expression.kind === ts.SyntaxKind.CallExpression})`,
    );
    const body = node.statement;
    if (ts.isBlock(body)) {
      edits.insert(start(body) + 1, ` ${R});`);
      visit(body);
    } else {
      edits.insert(start(body), `{ ${R}); `);
      visit(body);
      edits.insert(body.end, ' }');
    }
    parents.pop();
    if (!labeled) edits.insert(node.end, ` ${R}); }`);
  };

  function visit(node: ts.Node): true | undefined {
    if (bail) return true;
    const kind = node.kind;
    if (kind === ts.SyntaxKind.Identifier) {
      if (isTs) noteIdentifier(node as ts.Identifier);
      return;
    }
    if (FORBIDDEN.has(kind)) {
      bail = ts.SyntaxKind[kind];
      return true;
    }
    if (isErased(node)) {
      if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && isTs)
        typeNames.add(node.name.text);
      if (hasCodeInside(node)) bail = `code inside erased ${ts.SyntaxKind[kind]}`;
      return;
    }
    if (!trace) {
      if (kind === ts.SyntaxKind.ImportDeclaration) imports.push(node as ts.ImportDeclaration);
      children(node);
      return;
    }
    switch (kind) {
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.MethodDeclaration:
        visitFunction(node as FunctionNode);
        return;
      case ts.SyntaxKind.Constructor:
      case ts.SyntaxKind.GetAccessor:
      case ts.SyntaxKind.SetAccessor:
      case ts.SyntaxKind.ClassStaticBlockDeclaration:
        // not coroutines; awaits inside belong to nobody we trace
        frames.push(NON_COROUTINE);
        children(node);
        frames.pop();
        return;
      case ts.SyntaxKind.ImportDeclaration:
        imports.push(node as ts.ImportDeclaration);
        break;
      case ts.SyntaxKind.AwaitExpression:
        if (inCoroutine()) {
          visitAwait(node as ts.AwaitExpression);
          return;
        }
        break;
      case ts.SyntaxKind.YieldExpression: {
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
          edits.insert(start(node), `${R}, `);
          if (y.expression) {
            edits.insert(start(y.expression), `${RT}.y(${TASK}, ${site}, `);
            visitUnder(node, y.expression);
            edits.insert(y.expression.end, '))');
          } else {
            edits.insert(node.end, ` ${RT}.y(${TASK}, ${site}, void 0))`);
          }
          return;
        }
        break;
      }
      case ts.SyntaxKind.ForOfStatement:
        if ((node as ts.ForOfStatement).awaitModifier && inCoroutine()) {
          visitForAwait(node as ts.ForOfStatement, labeledLoops.has(node));
          return;
        }
        break;
      case ts.SyntaxKind.LabeledStatement:
        if (inCoroutine()) {
          const inner = (node as ts.LabeledStatement).statement;
          if (ts.isLabeledStatement(inner)) {
            bail = 'nested labels';
            return true;
          }
          if (ts.isForOfStatement(inner) && inner.awaitModifier) {
            labeledLoops.add(inner);
            edits.insert(start(node), '{ ');
            children(node);
            edits.insert(node.end, ` ${R}); }`);
            return;
          }
        }
        break;
      case ts.SyntaxKind.CatchClause:
        if (inCoroutine()) edits.insert(start((node as ts.CatchClause).block) + 1, ` ${RT}.rc(${TASK});`);
        break;
      case ts.SyntaxKind.TryStatement: {
        const fin = (node as ts.TryStatement).finallyBlock;
        if (fin && inCoroutine()) {
          // the catch clause (visited below) inserts at its own block; the finally block's resume goes in first
          edits.insert(start(fin) + 1, ` ${RT}.rc(${TASK});`);
        }
        break;
      }
      case ts.SyntaxKind.CallExpression:
        visitCall(node as ts.CallExpression);
        return;
    }
    children(node);
    return;
  }

  // ---- the module: prologue after the directives (and a hashbang), module task around the body
  const moduleIsCoroutine = trace && ts.isExternalModule(sf) && hasTopLevelAwait(sf);
  const moduleSite = moduleIsCoroutine ? addSite('module', sf, `<module ${input.displayPath}>`) : -1;
  const statements = sf.statements;
  let d = 0;
  while (
    d < statements.length &&
    ts.isExpressionStatement(statements[d]) &&
    ts.isStringLiteral((statements[d] as ts.ExpressionStatement).expression)
  )
    d++;
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
  if (input.entry && trace) prologue += `${RT}.s();`;
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
    prologue += `${RT}.file(${JSON.stringify(file)}, ${base}, [${table}]);`;
  }
  if (moduleIsCoroutine) {
    prologue += `const ${TASK} = ${RT}.e(${moduleSite});`;
    edits.insert(statements[statements.length - 1].end, `;${RT}.f(${TASK});`);
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
