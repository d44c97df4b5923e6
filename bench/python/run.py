"""Overhead of the Python tracer: plain vs traced (vs floor), interleaved, best of N.

usage: python3 bench/python/run.py [-n 3] [--quick] [--json] [--only seq,fan,workers,crawl] [--ab DIR] [python ...]

Programs: seq.py, fan.py (print their own work ms; sized by BENCH_N / BENCH_TASKS) and the seed
workers.py / crawl.py with sleeps / 100 (10 ms scale; work = main() start to end). Modes: plain
(python directly), traced (the launch contract of pyruntime/PROTOCOL.md), floor (seq and fan only:
floor.py, a no-op sys.monitoring hook on 3.12+ / a no-op profile hook on 3.11).
--ab DIR: also "tracedB", traced with the pyruntime folder DIR (e.g. an older copy made with
`git show <commit>:pyruntime/...`), interleaved with the others: an A/B under the same load.
Prints a Markdown table per interpreter, or with --json one JSON line per (python, program)
(`bench/run.mjs` reads those).
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
FLOOR = os.path.join(HERE, 'floor.py')

# target: traced/plain of the work time, on 3.12+ and on 3.11.
PROGRAMS = [
    {'id': 'seq', 'name': '200k suspending awaits, one task', 'file': 'seq.py', 'env': {'BENCH_N': 200_000},
     'target': (2.5, 5.0), 'floor': True},
    {'id': 'fan', 'name': '10k tasks x 10 awaits, gather', 'file': 'fan.py', 'env': {'BENCH_TASKS': 10_000},
     'target': (2.5, 5.0), 'floor': True},
    {'id': 'workers', 'name': 'seed workers (10 ms scale, ideal 20 ms)', 'seed': 'workers.py', 'target': (1.02, 1.02)},
    {'id': 'crawl', 'name': 'seed crawl (10 ms scale, ideal 40 ms)', 'seed': 'crawl.py', 'target': (1.02, 1.02)},
]


def scaled(src, tmp, factor):
    text = open(src).read()
    text = re.sub(r'asyncio\.sleep\(([^)]+)\)', lambda m: 'asyncio.sleep((%s) / %d)' % (m.group(1), factor), text)
    text = text.replace("print(f'wall time:", "print(f'work_ms {(time.perf_counter() - started) * 1000:.1f}'); print(f'wall time:")
    out = os.path.join(tmp, os.path.basename(src))
    open(out, 'w').write(text)
    return out


AB = None  # --ab: another pyruntime folder, measured as mode 'tracedB'


def run(py, script, mode, tmp, extra_env):
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    env.update({k: str(v) for k, v in extra_env.items()})
    ev = os.path.join(tmp, 'events.bin')
    if os.path.exists(ev):
        os.unlink(ev)
    argv = [py, script]
    if mode in ('traced', 'tracedB'):
        man = os.path.join(tmp, 'm.json')
        d = os.path.dirname(script)
        json.dump({'version': 1, 'eventsFile': ev, 'stopFile': os.path.join(tmp, 'stop'), 'maxEvents': 5000000,
                   'cwd': d, 'userRoots': [d], 'trace': True}, open(man, 'w'))
        env['ASYNC_TIMELINE_PY_MANIFEST'] = man
        env['PYTHONPATH'] = AB if mode == 'tracedB' else os.path.join(ROOT, 'pyruntime')
    elif mode == 'floor':
        argv = [py, FLOOR, script]
    t = time.perf_counter()
    r = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=os.path.dirname(script))
    wall = (time.perf_counter() - t) * 1000
    m = re.search(r'work_ms ([\d.]+)', r.stdout)
    c = re.search(r'cpu_ms ([\d.]+)', r.stdout)
    if r.returncode != 0 or not m:
        raise RuntimeError('%s %s exited %d: %s' % (mode, os.path.basename(script), r.returncode, (r.stderr or r.stdout)[-300:]))
    return {'work': float(m.group(1)), 'cpu': float(c.group(1)) if c else None, 'wall': wall,
            'eventBytes': os.path.getsize(ev) if os.path.exists(ev) else 0}


def version(py):
    out = subprocess.run([py, '-c', 'import sys;print(sys.version.split()[0])'], capture_output=True, text=True)
    return out.stdout.strip()


def measure(py, prog, path, n, quick, tmp, log):
    env = {k: (max(1, v // 10) if quick else v) for k, v in prog.get('env', {}).items()}
    modes = ['plain', 'traced'] + (['tracedB'] if AB else []) + (['floor'] if prog.get('floor') else [])
    samples = {m: [] for m in modes}
    errors = {}
    # The seeds are short and timer-bound: more repeats.
    for _ in range(max(n, 5) if 'seed' in prog else n):
        for mode in modes:
            if mode in errors:
                continue
            try:
                samples[mode].append(run(py, path, mode, tmp, env))
                log(' ' + mode)
            except Exception as e:  # noqa: BLE001 - reported, the others go on
                errors[mode] = str(e)
                log(' %s:ERROR' % mode)
    return samples, errors


def best(xs, key):
    vals = [x[key] for x in xs if x.get(key) is not None]
    return min(vals) if vals else None


def main():
    args = sys.argv[1:]
    n = 3
    if '-n' in args:
        i = args.index('-n')
        n = int(args[i + 1])
        del args[i:i + 2]
    only = None
    if '--only' in args:
        i = args.index('--only')
        only = set(args[i + 1].split(','))
        del args[i:i + 2]
    global AB
    if '--ab' in args:
        i = args.index('--ab')
        AB = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    quick = '--quick' in args or os.environ.get('BENCH_QUICK') == '1'
    as_json = '--json' in args
    pys = [a for a in args if not a.startswith('--')] or [sys.executable]
    progs = [p for p in PROGRAMS if only is None or p['id'] in only]

    def log(s):
        (sys.stderr if as_json else sys.stdout).write(s)
        (sys.stderr if as_json else sys.stdout).flush()

    with tempfile.TemporaryDirectory() as tmp:
        paths = {p['id']: scaled(os.path.join(SEED, p['seed']), tmp, 100) if 'seed' in p else os.path.join(HERE, p['file'])
                 for p in progs}
        for py in pys:
            ver = version(py)
            major_minor = tuple(int(x) for x in ver.split('.')[:2])
            backend = 'sys.monitoring' if major_minor >= (3, 12) else 'setprofile'
            rows = []
            for p in progs:
                log('cpython %s %s:' % (ver, p['id']))
                samples, errors = measure(py, p, paths[p['id']], n, quick, tmp, log)
                log('\n')
                target = p['target'][0 if major_minor >= (3, 12) else 1]
                row = {'bench': 'python', 'python': py, 'version': ver, 'backend': backend, 'id': p['id'],
                       'name': p['name'], 'target': target, 'quick': quick, 'errors': errors,
                       'load': os.getloadavg()[0],
                       'samples': samples}
                for mode in samples:
                    row[mode] = best(samples[mode], 'work')
                    row[mode + 'Cpu'] = best(samples[mode], 'cpu')
                row['eventBytes'] = max([s['eventBytes'] for s in samples.get('traced', [])] or [0])
                rows.append(row)
                if as_json:
                    print(json.dumps(row))
                    sys.stdout.flush()
            if as_json:
                continue
            print('## cpython %s (%s, %s), best of %d, load %s' % (ver, py, backend, n, os.getloadavg()))
            print('| program | plain work ms | traced work ms | ratio | target | floor ms | floor ratio | CPU ms plain / traced | event bytes |')
            print('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
            for r in rows:
                ratio = r['traced'] / r['plain'] if r.get('traced') and r.get('plain') else float('nan')
                fl = r.get('floor')
                print('| %s | %.1f | %.1f | %.2fx | <= %sx | %s | %s | %s | %d |' % (
                    r['id'], r['plain'] or float('nan'), r['traced'] or float('nan'), ratio, r['target'],
                    '%.1f' % fl if fl else '-', '%.2fx' % (fl / r['plain']) if fl and r.get('plain') else '-',
                    '%.0f / %.0f' % (r['plainCpu'], r['tracedCpu']) if r.get('plainCpu') and r.get('tracedCpu') else '-',
                    r['eventBytes']))
                if AB and r.get('tracedB') and r.get('plain'):
                    print('| %s (B: %s) | | %.1f | %.2fx | | | | %s | |' % (
                        r['id'], AB, r['tracedB'], r['tracedB'] / r['plain'],
                        '%.0f / %.0f' % (r['plainCpu'], r['tracedBCpu']) if r.get('plainCpu') and r.get('tracedBCpu') else '-'))
                for mode, msg in r['errors'].items():
                    print('! %s %s: %s' % (r['id'], mode, msg))
            sys.stdout.flush()


if __name__ == '__main__':
    main()
