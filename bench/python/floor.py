"""The floor: run a program under a hook that does nothing, the least any tracer of it pays.

usage: python floor.py program.py

3.12+: a sys.monitoring tool with the tracer's event set (PY_START, PY_RESUME, PY_THROW, PY_YIELD,
PY_RETURN, PY_UNWIND) and one callback that returns None for code in the program's own file and
DISABLE everywhere else (as the tracer does outside the user's coroutines): one Python call per
user-coroutine event, no recording. 3.11: sys.setprofile with a hook that returns at once, called
for every call and return of every Python function, as the tracer's profile hook is.
"""
import runpy
import sys

prog = sys.argv[1]
sys.argv = sys.argv[1:]
if sys.version_info >= (3, 12):
    mon = sys.monitoring
    E = mon.events
    DISABLE = mon.DISABLE
    tool = 4  # not the debugger (0), coverage (1), profiler (2) or the tracer's id
    mon.use_tool_id(tool, 'async-timeline-floor')

    def make(user):
        def cb(code, off, *rest):
            if code.co_filename != user:
                return DISABLE
        return cb

    cb = make(prog)
    # PY_UNWIND and PY_THROW cannot be disabled per location: their callbacks just return.
    for ev in (E.PY_START, E.PY_RESUME, E.PY_YIELD, E.PY_RETURN):
        mon.register_callback(tool, ev, cb)
    mon.register_callback(tool, E.PY_THROW, lambda code, off, exc: None)
    mon.register_callback(tool, E.PY_UNWIND, lambda code, off, exc: None)
    mon.set_events(tool, E.PY_START | E.PY_RESUME | E.PY_THROW | E.PY_YIELD | E.PY_RETURN | E.PY_UNWIND)
else:
    def prof(frame, event, arg):
        return None
    sys.setprofile(prof)
runpy.run_path(prog, run_name='__main__')
