"""Async Timeline boot file (standard library only).

The host runs `python script.py args...` with this directory first on PYTHONPATH and
ASYNC_TIMELINE_PY_MANIFEST naming a JSON manifest. Without that variable this file only
chains to the `sitecustomize` it shadows. With it, it removes the variable and its own
PYTHONPATH / sys.path entry (child processes are not traced), chains the shadowed
`sitecustomize`, then starts the tracer. The script itself runs as the real `__main__`.
"""
import os as _os
import sys as _sys


def _boot():
    here = _os.path.dirname(_os.path.abspath(__file__))
    manifest = _os.environ.pop('ASYNC_TIMELINE_PY_MANIFEST', None)

    def same(p):
        try:
            return p and _os.path.abspath(p) == here
        except Exception:
            return False

    if manifest is not None:
        pp = _os.environ.get('PYTHONPATH')
        if pp is not None:
            rest = [p for p in pp.split(_os.pathsep) if not same(p)]
            if rest:
                _os.environ['PYTHONPATH'] = _os.pathsep.join(rest)
            else:
                del _os.environ['PYTHONPATH']
    # Chain the sitecustomize this file shadows (e.g. Debian's), as if we were not here.
    saved = list(_sys.path)
    _sys.path[:] = [p for p in _sys.path if not same(p)]
    me = _sys.modules.pop('sitecustomize', None)
    try:
        import importlib
        try:
            importlib.import_module('sitecustomize')
        except ImportError as e:
            if getattr(e, 'name', None) != 'sitecustomize':
                raise
            if me is not None:
                _sys.modules['sitecustomize'] = me
    finally:
        trimmed = list(_sys.path)
    if manifest is None:
        return
    if _sys.version_info < (3, 11):
        v = _sys.version_info
        _sys.stderr.write('async-timeline: Python 3.11 or newer is needed to trace (this is %d.%d.%d)\n'
                          % (v[0], v[1], v[2]))
        _sys.stderr.flush()
        return
    _sys.path[:] = [here] + trimmed
    try:
        import _async_timeline.tracer as t
    finally:
        _sys.path[:] = trimmed
    t.boot(manifest)


try:
    _boot()
finally:
    del _boot
