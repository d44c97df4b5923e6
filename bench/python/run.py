"""Overhead of the Python tracer: plain vs traced, interleaved, best of N.

usage: python3 bench/python/run.py [-n 3] [python ...]
Programs: seq.py, fan.py (print their own work ms) and the seed workers.py / crawl.py with
sleeps / 100 (work = process wall). Prints a table per interpreter.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEED = os.path.join(ROOT, 'test', 'python', 'seed')


def scaled(src, tmp, factor):
    text = open(src).read()
    text = re.sub(r'asyncio\.sleep\(([^)]+)\)', lambda m: 'asyncio.sleep((%s) / %d)' % (m.group(1), factor), text)
    text = text.replace("print(f'wall time:", "print(f'work_ms {(time.perf_counter() - started) * 1000:.1f}'); print(f'wall time:")
    out = os.path.join(tmp, os.path.basename(src))
    open(out, 'w').write(text)
    return out


def run(py, script, traced, tmp):
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    ev = os.path.join(tmp, 'events.bin')
    if os.path.exists(ev):
        os.unlink(ev)
    if traced:
        man = os.path.join(tmp, 'm.json')
        d = os.path.dirname(script)
        json.dump({'version': 1, 'eventsFile': ev, 'stopFile': os.path.join(tmp, 'stop'), 'maxEvents': 5000000,
                   'cwd': d, 'userRoots': [d], 'trace': True}, open(man, 'w'))
        env['ASYNC_TIMELINE_PY_MANIFEST'] = man
        env['PYTHONPATH'] = os.path.join(ROOT, 'pyruntime')
    t = time.perf_counter()
    r = subprocess.run([py, script], env=env, capture_output=True, text=True, cwd=os.path.dirname(script))
    wall = (time.perf_counter() - t) * 1000
    m = re.search(r'work_ms ([\d.]+)', r.stdout)
    c = re.search(r'cpu_ms ([\d.]+)', r.stdout)
    events = (os.path.getsize(ev) if os.path.exists(ev) else 0)
    return float(m.group(1)) if m else float('nan'), float(c.group(1)) if c else float('nan'), events


def main():
    args = sys.argv[1:]
    n = 3
    if '-n' in args:
        i = args.index('-n')
        n = int(args[i + 1])
        del args[i:i + 2]
    pys = args or [sys.executable]
    with tempfile.TemporaryDirectory() as tmp:
        progs = [os.path.join(HERE, 'seq.py'), os.path.join(HERE, 'fan.py'),
                 scaled(os.path.join(SEED, 'workers.py'), tmp, 100), scaled(os.path.join(SEED, 'crawl.py'), tmp, 100)]
        for py in pys:
            ver = subprocess.run([py, '-c', 'import sys;print(sys.version.split()[0])'], capture_output=True, text=True).stdout.strip()
            print('## cpython %s (%s), best of %d, load %s' % (ver, py, n, os.getloadavg()))
            print('| program | plain work ms (runs) | traced work ms (runs) | ratio best/best | CPU ms plain / traced, ratio | event bytes |')
            print('| --- | --- | --- | --- | --- | --- |')
            for p in progs:
                plain, traced, pc, tc = [], [], [], []
                size = 0
                for _ in range(n):
                    w, c, _ = run(py, p, False, tmp)
                    plain.append(w)
                    pc.append(c)
                    w, c, size = run(py, p, True, tmp)
                    traced.append(w)
                    tc.append(c)
                cpu = '%.0f / %.0f, %.2fx' % (min(pc), min(tc), min(tc) / min(pc)) if pc[0] == pc[0] else '-'
                print('| %s | %.1f (%s) | %.1f (%s) | %.2fx | %s | %d |' % (
                    os.path.basename(p), min(plain), ', '.join('%.0f' % x for x in plain),
                    min(traced), ', '.join('%.0f' % x for x in traced), min(traced) / min(plain), cpu, size))
            sys.stdout.flush()


if __name__ == '__main__':
    main()
