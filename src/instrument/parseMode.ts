/**
 * Where TypeScript's parser and V8 read the same text differently, and how both paths are made to
 * see what V8 sees. TypeScript is lenient for the sake of its error messages:
 *   - outside async functions it reads `await` followed by a word or literal on the same line as an
 *     await expression (`await instanceof Array`, `` await `x` ``); in a script (CommonJS) V8 reads
 *     the identifier `await` there;
 *   - in a single-statement position (a loop or `if` body, a label) it reads `let` + line break +
 *     binding as a declaration; V8 reads the expression statement `let`, an automatic semicolon, and
 *     the next statement (`for (…) let \n {}` is `let;` and an empty block).
 * Those keywords are swapped for a same-length identifier (`ɑwait`, `ɩet`: positions, and so source
 * maps, stay put) before either path parses the file, and swapped back in what comes out. Files that
 * already contain a mask, or need none, are left as they are.
 */
import ts from 'typescript';
import { hasAsync } from './rules';

const MASKS: Readonly<Record<string, string>> = { await: '\u0251wait', let: '\u0269et' };

export interface Masked {
  /** The text both paths parse. */
  text: string;
  /** Turns output (code, names) back into the program's own words; identity when nothing was masked. */
  unmask(s: string): string;
}

const NONE: Masked = { text: '', unmask: (s) => s };

function scriptKind(file: string): ts.ScriptKind {
  if (/\.[cm]?jsx$/.test(file)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  return ts.ScriptKind.TS;
}

/** Is `node` in a position that takes one statement (not a statement list)? */
function singleStatementPosition(node: ts.Node, parent: ts.Node): boolean {
  switch (parent.kind) {
    case ts.SyntaxKind.IfStatement:
      return (parent as ts.IfStatement).thenStatement === node || (parent as ts.IfStatement).elseStatement === node;
    case ts.SyntaxKind.ForStatement:
    case ts.SyntaxKind.ForInStatement:
    case ts.SyntaxKind.ForOfStatement:
    case ts.SyntaxKind.WhileStatement:
    case ts.SyntaxKind.DoStatement:
    case ts.SyntaxKind.LabeledStatement:
    case ts.SyntaxKind.WithStatement:
      return (parent as ts.IterationStatement | ts.LabeledStatement | ts.WithStatement).statement === node;
  }
  return false;
}

/**
 * The text to parse for `source`: `script` is true for files Node runs as CommonJS. Returns the source
 * itself (and an identity unmask) unless some `await`/`let` must be read as V8 reads it.
 */
export function maskForV8(source: string, file: string, script: boolean): Masked {
  const awaitCandidates = script && source.includes('await');
  const letCandidates = /\blet[ \t]*(?:\r?\n|\/[/*])/.test(source);
  if (!awaitCandidates && !letCandidates) return { ...NONE, text: source };
  if (Object.values(MASKS).some((m) => source.includes(m))) return { ...NONE, text: source };
  let text = source;
  let changed = false;
  // A mask can uncover the next case (the tree after it is different): a few rounds at most.
  for (let round = 0; round < 4; round++) {
    const sf = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.ESNext, setExternalModuleIndicator: () => {} }, false, scriptKind(file));
    const at: Array<[number, string]> = [];
    const walk = (node: ts.Node, parent: ts.Node | undefined, asyncDepth: number, staticBlock: boolean): void => {
      if (awaitCandidates && ts.isAwaitExpression(node) && asyncDepth === 0 && !staticBlock) {
        const pos = node.getStart(sf);
        if (text.startsWith('await', pos)) at.push([pos, 'await']);
      }
      if (letCandidates && parent && ts.isVariableStatement(node) && singleStatementPosition(node, parent)) {
        const list = node.declarationList;
        const pos = list.getStart(sf);
        const first = list.declarations[0];
        if ((list.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Let && first && text.startsWith('let', pos)) {
          const between = text.slice(pos + 3, first.getStart(sf));
          if (/[\n\r\u2028\u2029]/.test(between)) at.push([pos, 'let']);
        }
      }
      const depth = ts.isFunctionLike(node) ? (hasAsync(node) ? asyncDepth + 1 : asyncDepth) : asyncDepth;
      const inStatic = staticBlock || ts.isClassStaticBlockDeclaration(node);
      ts.forEachChild(node, (child) => walk(child, node, depth, inStatic));
    };
    walk(sf, undefined, 0, false);
    if (at.length === 0) break;
    at.sort((a, b) => b[0] - a[0]);
    for (const [pos, word] of at) text = text.slice(0, pos) + MASKS[word] + text.slice(pos + word.length);
    changed = true;
  }
  if (!changed) return { ...NONE, text: source };
  return {
    text,
    unmask: (s) => s.split(MASKS.await).join('await').split(MASKS.let).join('let'),
  };
}

/** `code` with its inline source map's embedded original (`sourcesContent`) replaced by `original`. */
export function withOriginalInMap(code: string, original: string): string {
  const prefix = '//# sourceMappingURL=data:application/json;base64,';
  const at = code.lastIndexOf(prefix);
  if (at < 0) return code;
  const map = JSON.parse(Buffer.from(code.slice(at + prefix.length).trim(), 'base64').toString('utf8'));
  if (Array.isArray(map.sourcesContent)) map.sourcesContent = [original];
  return `${code.slice(0, at)}${prefix}${Buffer.from(JSON.stringify(map)).toString('base64')}`;
}
