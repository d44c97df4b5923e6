"""Where the editor's "Run with Timeline" lenses go in a Python file (host-owned; see PROTOCOL.md).

Reads Python source on stdin (the editor's buffer, saved or not), parses it with the running
interpreter's own `ast` module (never regular expressions) and prints one line of JSON:

    {"functions": [{"name": "Crawler.fetch", "kind": "method", "line": 12, "column": 5}, ...],
     "entryLine": 30, "topLevelAwait": false}

- functions: every `async def` (functions, methods, nested ones; kind `generator` for async
  generators), line/column of the `async def` keyword (1-based; decorators excluded), column in
  UTF-16 code units like the tracer's sites;
- entryLine: the module-level statement that runs the program: the first `asyncio.run(...)` /
  `asyncio.Runner` / `run_until_complete(...)` (also inside `if __name__ == "__main__":`), else
  the first top-level statement that calls something, else 1;
- on a syntax error: {"error": {"message", "line", "column"}} (exit status 0: it is an answer).

Run as `python -I lenses.py` (isolated: nothing from the user's environment is imported).
Standard library only; works on Python 3.8+.
"""
import ast
import json
import sys

_RUNNERS = {'run', 'run_until_complete', 'Runner'}


def _utf16_column(lines, lineno, byte_col):
    """1-based UTF-16 column of a UTF-8 byte offset on a 1-based line."""
    if lineno - 1 >= len(lines):
        return byte_col + 1
    prefix = lines[lineno - 1].encode('utf-8')[:byte_col].decode('utf-8', 'replace')
    return len(prefix.encode('utf-16-le')) // 2 + 1


def _is_async_generator(node):
    for child in ast.walk(node):
        if child is not node and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(child, (ast.Yield, ast.YieldFrom)):
            return True
    return False


class _Finder(ast.NodeVisitor):
    def __init__(self, lines):
        self.lines = lines
        self.scope = []  # (name, is_class)
        self.functions = []

    def _qualname(self, name):
        parts = []
        for scope_name, is_class in self.scope:
            parts.append(scope_name if is_class else scope_name + '.<locals>')
        return '.'.join(parts + [name])

    def visit_ClassDef(self, node):
        self.scope.append((node.name, True))
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node):
        self.scope.append((node.name, False))
        self.generic_visit(node)
        self.scope.pop()

    def visit_AsyncFunctionDef(self, node):
        in_class = bool(self.scope) and self.scope[-1][1]
        kind = 'generator' if _is_async_generator(node) else ('method' if in_class else 'function')
        self.functions.append({
            'name': self._qualname(node.name),
            'kind': kind,
            'line': node.lineno,
            'column': _utf16_column(self.lines, node.lineno, node.col_offset),
        })
        self.scope.append((node.name, False))
        self.generic_visit(node)
        self.scope.pop()


def _calls_runner(stmt):
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if name in _RUNNERS:
                return True
    return False


def _calls_anything(stmt):
    return any(isinstance(node, (ast.Call, ast.Await)) for node in ast.walk(stmt))


def _is_main_guard(stmt):
    if not isinstance(stmt, ast.If):
        return False
    test = stmt.test
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == '__name__')


def _top_level(body):
    """Module-level statements, looking inside `if __name__ == '__main__':`."""
    for stmt in body:
        if _is_main_guard(stmt):
            yield from _top_level(stmt.body)
        elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            yield stmt


def scan(source):
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        return {'error': {'message': e.msg, 'line': e.lineno or 1, 'column': e.offset or 1}}
    lines = source.splitlines()
    finder = _Finder(lines)
    finder.visit(tree)
    statements = list(_top_level(tree.body))
    entry = next((s for s in statements if _calls_runner(s)), None)
    if entry is None:
        entry = next((s for s in statements if _calls_anything(s)), None)
    top_await = any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for s in statements for n in ast.walk(s)
                    if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    return {
        'functions': finder.functions,
        'entryLine': entry.lineno if entry is not None else 1,
        'topLevelAwait': top_await,
    }


def main():
    data = sys.stdin.buffer.read()
    try:
        source = data.decode('utf-8-sig')
    except UnicodeDecodeError:
        source = data.decode('latin-1')
    sys.stdout.write(json.dumps(scan(source)) + '\n')


if __name__ == '__main__':
    main()
