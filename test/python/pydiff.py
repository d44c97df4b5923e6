"""Differential runs of test/fixtures/pydiff/*.py: plain vs traced, per interpreter.

usage: python3 test/python/pydiff.py [python ...] [-k substring]
Prints one line per program and interpreter; exit status 1 when any differs.
(The mocha suite test/unit/pythonDiff.test.ts does the same from Node.)
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, 'test', 'fixtures', 'pydiff')
PYRUNTIME = os.path.join(ROOT, 'pyruntime')


def run(py, script, traced, tmp):
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    env['PYTHONHASHSEED'] = '0'
    if traced:
        man = os.path.join(tmp, 'manifest.json')
        with open(man, 'w') as fh:
            json.dump({'version': 1, 'eventsFile': os.path.join(tmp, 'events.bin'), 'stopFile': os.path.join(tmp, 'stop'),
                       'maxEvents': 5000000, 'cwd': CORPUS, 'userRoots': [CORPUS], 'trace': True}, fh)
        env['ASYNC_TIMELINE_PY_MANIFEST'] = man
        env['PYTHONPATH'] = PYRUNTIME
    r = subprocess.run([py, script, 'x', 'y'], cwd=CORPUS, env=env, capture_output=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def main():
    args = sys.argv[1:]
    k = None
    if '-k' in args:
        i = args.index('-k')
        k = args[i + 1]
        del args[i:i + 2]
    pys = args or [sys.executable]
    bad = 0
    for py in pys:
        for name in sorted(os.listdir(CORPUS)):
            if not name.endswith('.py') or (k and k not in name):
                continue
            script = os.path.join(CORPUS, name)
            with tempfile.TemporaryDirectory() as tmp:
                a = run(py, script, False, tmp)
                b = run(py, script, True, tmp)
                ev = os.path.getsize(os.path.join(tmp, 'events.bin')) if os.path.exists(os.path.join(tmp, 'events.bin')) else -1
            same = a == b
            bad += not same
            print('%-4s %-10s %-28s exit %s bytes %d' % ('ok' if same else 'DIFF', os.path.basename(py), name, a[0], ev))
            if not same:
                for label, x, y in (('exit', a[0], b[0]), ('stdout', a[1], b[1]), ('stderr', a[2], b[2])):
                    if x != y:
                        print('  %s plain : %r' % (label, x[-600:] if isinstance(x, bytes) else x))
                        print('  %s traced: %r' % (label, y[-600:] if isinstance(y, bytes) else y))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
