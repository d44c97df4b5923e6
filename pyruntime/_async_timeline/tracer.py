"""Async Timeline's Python tracer: records every coroutine of the user's files as a lane
(task), with its suspensions, what they waited on and who woke them, into the binary event
stream of src/protocol/events.ts (see ../PROTOCOL.md). Standard library only.

Backends: 3.12+ sys.monitoring (DISABLE outside the user's coroutines); 3.11 sys.setprofile
with per-code bytecode tables. Both feed the same lane engine (_on_start/_on_resume/
_on_yield/_on_end).
"""
import atexit
import collections
import dis
import json
import linecache
import os
import re
import struct
import sys
import threading
import time
import weakref

import asyncio
import asyncio.base_events
import asyncio.futures
import asyncio.locks
import asyncio.queues
import asyncio.streams
import asyncio.subprocess
import asyncio.tasks
import asyncio.threads

# ---------------------------------------------------------------------------------------------
# Protocol constants (src/protocol/events.ts)

FRAME_EVENTS = 1
FRAME_JSON = 2
H_CREATE = 1 << 28
H_CALLSITE = 2 << 28
H_YIELD = 3 << 28
H_WAITON = 4 << 28
H_WAITKIND = 5 << 28
H_RESUME = 6 << 28
H_OK = 7 << 28
H_ERR = 8 << 28
H_DONE = 12 << 28
H_WOKEN = 13 << 28

W_GATHER = 5
W_WAIT = 6
W_TASKGROUP = 7
W_SLEEP = 8
W_FUTURE = 9
W_QUEUE = 10
W_LOCK = 11
W_EVENT = 12
W_SEMAPHORE = 13
W_CONDITION = 14
W_THREAD = 15
W_TIMEOUT = 16
W_SUBPROCESS = 17
W_STREAM = 18

# Lane states
SCHED = 0  # created by create_task, not run yet
RUN = 1
SUSP = 2  # suspended on something that is no lane
SUSPCHILD = 3  # suspended because the coroutine it awaits (a lane) suspended

# Code kinds
K_NONE = 0
K_LANE = 1
K_LIB = 2
K_MAIN = 3

CAP = 32768  # records per buffer
_S = struct.Struct('<dII')
_pack = _S.pack_into
# two / three records at one instant in one call (3.11's inlined hook paths)
_pack2 = struct.Struct('<dIIdII').pack_into
_pack3 = struct.Struct('<dIIdIIdII').pack_into
_HDR = struct.Struct('<IB').pack
_enc_str = json.encoder.encode_basestring_ascii

_buf = bytearray(CAP * 16)
_n = 0
_lim = CAP
_flushed = 0
_total = 0
_max = 5_000_000
_trunc = False
_on = False
_closed = False
_lock = threading.Lock()
_fd = -1
# JSON frames are queued, never written by the program's thread (waiting on a lock the flusher
# holds costs a GIL hand-off: up to 5 ms). _pre goes out before the next events batch (sites),
# _post after it (messages about lanes whose events are already recorded).
_pre = collections.deque()
_post = collections.deque()
_pc = time.perf_counter
_origin = 0.0
_exit_code = None
_backend = None

_next_id = 0
_next_site = 1
_lanes = {}  # frame -> _Lane
_codes = {}  # id(code) -> _Info
_keep = []  # code objects kept alive (ids stay unique)
_ufile = {}  # filename -> bool (user file)
_ucode = {}  # id(code) -> bool (code in a user file)
_pos = {}  # id(code) -> list of positions
_csites = {}  # (id(code), lasti) -> first of [call, scheduled, done] site ids
_roots = []
_here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_cwd = os.getcwd()

_pend = None  # the lane that just made an await-suspension (its outer lane yields next)
_pk = 0  # wait kind named by the library coroutine that yielded last
_pm = None  # members (tasks) of that library wait (asyncio.wait, TaskGroup exit)


class _Info:
    __slots__ = ('k', 'defsite', 'ys', 'yv', 'co', 'wk', 'file', 'cs')

    def __init__(self, k):
        self.k = k
        self.cs = {}  # f_lasti -> _sites_at() of this code (3.11's inlined nested start)
        self.defsite = 0
        self.ys = None
        self.yv = None
        self.co = None
        self.wk = 0
        self.file = None


_NONE = _Info(K_NONE)


class _Lane:
    __slots__ = ('id', 'st', 'child', 'wait', 'outer', 'info', 'task', '__weakref__')

    def __init__(self, lid, st, info, outer):
        self.id = lid
        self.st = st
        self.child = None
        self.wait = 0
        self.outer = outer
        self.info = info
        self.task = None


# ---------------------------------------------------------------------------------------------
# Recording


def _rec(head, arg):
    global _n
    i = _n
    if i >= _lim:
        i = _full()
        if i < 0:
            return
    _pack(_buf, i << 4, (_pc() - _origin) * 1000.0, head, arg)
    _n = i + 1


def _rec2(h1, a1, h2, a2):
    """Two records at one instant (Yield + WaitOn/WaitKind, WokenBy + Resume): one clock read."""
    global _n
    i = _n
    if i + 1 >= _lim:
        _rec(h1, a1)
        _rec(h2, a2)
        return
    t = (_pc() - _origin) * 1000.0
    o = i << 4
    _pack(_buf, o, t, h1, a1)
    _pack(_buf, o + 16, t, h2, a2)
    _n = i + 2


def _write(b):
    if _fd < 0:
        return
    mv = memoryview(b)
    while mv:
        k = os.write(_fd, mv)
        mv = mv[k:]


def _jframe(msg):
    body = json.dumps(msg, separators=(',', ':'), ensure_ascii=False).encode('utf-8', 'replace')
    return _HDR(len(body), FRAME_JSON) + body


def _flush_locked():
    """Ships the queued site tables, the events recorded since the last flush, then the messages
    queued before those events were taken (so a message never precedes its lane's events)."""
    global _flushed
    if _closed:
        return
    k = len(_post)
    m = _n
    out = []
    pre = _pre
    while pre:
        out.append(_jframe(pre.popleft()))
    if m > _flushed:
        body = _buf[_flushed << 4:m << 4]
        out.append(_HDR(len(body), FRAME_EVENTS))
        out.append(body)
        _flushed = m
    post = _post
    while k:
        m = post.popleft()
        out.append(m if type(m) is bytes else _jframe(m))
        k -= 1
    if out:
        _write(b''.join(out))  # one write per flush


def _full():
    global _n, _flushed, _total, _lim, _trunc
    if _trunc:
        return -1
    with _lock:
        _flush_locked()
        _total += _n
        _n = 0
        _flushed = 0
        room = _max - _total
        if room <= 0:
            _trunc = True
            _lim = 0
            _write(_jframe({'type': 'truncated', 'atEvent': _total}))
            _stop_hooks()
            return -1
        _lim = CAP if room > CAP else room
    return 0


_later_msg = _post.append


def _now_json(msg):
    """A JSON frame after every event recorded so far."""
    with _lock:
        _flush_locked()
        if not _closed:
            _write(_jframe(msg))


def _reg(file, entries):
    """Registers sites; the frame goes out at once (before any event that refers to them)."""
    global _next_site
    base = _next_site
    _next_site += len(entries)
    _pre.append({'type': 'sites', 'file': file, 'base': base, 'entries': entries})
    return base


# ---------------------------------------------------------------------------------------------
# Source positions


def _col16(file, line, col):
    """0-based UTF-8 byte column -> 1-based UTF-16 column."""
    if col is None:
        return 1
    text = linecache.getline(file, line)
    if not text or text.isascii():
        return col + 1
    pre = text.encode('utf-8')[:col].decode('utf-8', 'replace')
    return len(pre.encode('utf-16-le')) // 2 + 1


def _positions(code):
    p = _pos.get(id(code))
    if p is None:
        p = list(code.co_positions())
        _pos[id(code)] = p
        _keep.append(code)
    return p


def _where(code, lasti):
    p = _positions(code)
    i = lasti // 2
    if 0 <= i < len(p):
        line, _el, col, _ec = p[i]
        if line is not None:
            return line, col
    return code.co_firstlineno, None


def _is_user_file(fn):
    u = _ufile.get(fn)
    if u is None:
        u = False
        if fn and fn.endswith('.py') and not fn.startswith('<'):
            a = os.path.abspath(os.path.join(_cwd, fn))
            if not a.startswith(_here + os.sep) and '/site-packages/' not in a and '/dist-packages/' not in a:
                for r in _roots:
                    if a.startswith(r):
                        u = True
                        break
        _ufile[fn] = u
    return u


def _abs(fn):
    return os.path.abspath(os.path.join(_cwd, fn))


def _is_user_code(code):
    u = _ucode.get(id(code))
    if u is None:
        u = _is_user_file(code.co_filename)
        _ucode[id(code)] = u
        _keep.append(code)
    return u


_DEF = re.compile(r'\basync\s+def\b')


def _def_pos(fn, code):
    first = code.co_firstlineno
    for ln in range(first, first + 40):
        text = linecache.getline(fn, ln)
        if not text:
            break
        m = _DEF.search(text)
        if m:
            return ln, _col16(fn, ln, len(text[:m.start()].encode('utf-8')))
    return first, 1


_OP_YIELD = dis.opmap['YIELD_VALUE']
_OP_RESUME = dis.opmap['RESUME']
_OP_ANEXT = dis.opmap['GET_ANEXT']
_OP_CACHE = dis.opmap['CACHE']


def _yield_points(code):
    """[(offset, next offset or -1, hands a value to a consumer, kind)] for each YIELD_VALUE of
    `code`, read from the bytecode as dis would list it (CACHE entries skipped), without dis:
    dis.get_instructions cost ~0.25 ms per coroutine, most of a short program's tracing cost.
    The instruction after a value-yield is RESUME with oparg & 3 == 1; an `async for`'s await
    has GET_ANEXT among the four instructions before it."""
    co = code.co_code
    ins = [i for i in range(0, len(co), 2) if co[i] != _OP_CACHE]
    out = []
    n = len(ins)
    for j in range(n):
        off = ins[j]
        if co[off] != _OP_YIELD:
            continue
        nxt = ins[j + 1] if j + 1 < n else -1
        isval = nxt >= 0 and co[nxt] == _OP_RESUME and (co[nxt + 1] & 3) == 1
        kind = 'yield' if isval else 'await'
        if not isval:
            for k in range(max(0, j - 4), j):
                if co[ins[k]] == _OP_ANEXT:
                    kind = 'for-await'
        out.append((off, nxt, isval, kind))
    return out


def _lane_info(code):
    fn = _abs(code.co_filename)
    qual = getattr(code, 'co_qualname', code.co_name)
    if code.co_flags & 0x200:
        kind = 'generator'
    else:
        parts = qual.split('.')
        kind = 'method' if len(parts) > 1 and parts[-2] != '<locals>' else 'function'
    line, col = _def_pos(fn, code)
    entries = [[kind, line, col, qual]]
    ys = {}
    yv = set()
    offs = []
    pos = _positions(code)
    for off, nxt, isval, kind in _yield_points(code):
        p = pos[off >> 1] if (off >> 1) < len(pos) else None
        ln = p[0] if p is not None and p[0] is not None else code.co_firstlineno
        col = _col16(fn, ln, p[2] if p is not None else None)
        entries.append([kind, ln, col])
        offs.append((off, nxt, isval))
    base = _reg(fn, entries)
    for k, (o, o2, isval) in enumerate(offs):
        ys[o] = base + 1 + k
        if o2 >= 0:
            ys.setdefault(o2, base + 1 + k)
        if isval:
            yv.add(o)
            if o2 >= 0:
                yv.add(o2)
    info = _Info(K_LANE)
    info.defsite = base
    info.ys = ys
    info.yv = yv
    info.co = code.co_code
    info.file = fn
    return info


def _classify(code):
    info = _codes.get(id(code))
    if info is not None:
        return info
    info = _NONE
    fl = code.co_flags
    if not _started:
        _start_frame()
    if _is_user_file(code.co_filename):
        if fl & 0x280:
            info = (_ready.pop(_code_key(code), None) if _ready else None) or _lane_info(code)
        elif code.co_name == '<module>':
            info = _Info(K_MAIN)
    _codes[id(code)] = info
    _keep.append(code)
    if _arm is not None and info.k:
        _arm(code, info.k)
    return info


# 3.12+: turns on the per-code events a classified code object needs (set by the backend).
_arm = None

# Lane infos of the main script's coroutines, worked out before it starts (_prepare_main).
_ready = {}
_ready_sites = collections.deque()


def _code_key(code):
    return (_abs(code.co_filename), code.co_firstlineno, getattr(code, 'co_qualname', code.co_name), code.co_code)


def _prepare_main():
    """Before t = 0: compiles the script the interpreter is about to run (the same source, the
    same flags) and works out the lane info of each of its coroutines, so their first run does
    not pay for it (reading the file, scanning bytecode: ~0.1–0.3 ms each, which a program of
    10 ms sleeps notices). A code object is matched by file, first line, qualified name and
    bytecode; two that would match alike are left to be worked out when they run. Anything
    unexpected: nothing is prepared."""
    try:
        path = sys.argv[0] if sys.argv else ''
        if not path.endswith('.py') or not os.path.isfile(path) or not _is_user_file(path):
            return
        import tokenize
        with tokenize.open(path) as fh:
            src = fh.read()
        top = compile(src, path, 'exec', dont_inherit=True)
        linecache.getline(_abs(path), 1)  # the file's lines, for every site's column
        seen = {}
        todo = [top]
        while todo:
            c = todo.pop()
            todo.extend(k for k in c.co_consts if type(k) is type(top))
            if c.co_flags & 0x280:
                key = _code_key(c)
                seen[key] = None if key in seen else c
        n = len(_pre)
        for key, c in seen.items():
            if c is not None:
                _ready[key] = _lane_info(c)
        # their site tables go out right after `start` (the stream begins with it)
        while len(_pre) > n:
            _ready_sites.appendleft(_pre.pop())
    except Exception:
        _ready.clear()
        _ready_sites.clear()


def _sites_at(f):
    """[call, scheduled, done] site ids at frame f's current instruction."""
    code = f.f_code
    lasti = f.f_lasti
    key = (id(code), lasti)
    s = _csites.get(key)
    if s is None:
        line, col = _where(code, lasti)
        fn = _abs(code.co_filename)
        c = _col16(fn, line, col)
        s = _reg(fn, [['call', line, c], ['scheduled', line, c], ['done', line, c]])
        _csites[key] = s
        _keep.append(code)
    return s


def _user_frame(f, hops=16):
    while f is not None and hops:
        if _is_user_code(f.f_code):
            return f
        f = f.f_back
        hops -= 1
    return None


def _lane_above(f, hops=40):
    lanes = _lanes
    while f is not None and hops:
        L = lanes.get(f)
        if L is not None:
            return L
        f = f.f_back
        hops -= 1
    return None


# ---------------------------------------------------------------------------------------------
# The lane engine


def _on_start(f, info):
    global _next_id, _pend, _pk
    _pend = None
    _pk = 0
    L = _lanes.get(f)
    if L is not None:
        if L.st == SCHED:
            L.st = RUN
            _rec(H_RESUME | L.id, 0)
        return
    back = f.f_back
    outer = _lane_above(back)
    _next_id += 1
    nid = _next_id
    uf = _user_frame(back)
    if uf is not None:
        _rec2(H_CREATE | (outer.id if outer is not None else 0), info.defsite, H_CALLSITE | nid, _sites_at(uf))
    else:
        _rec(H_CREATE | (outer.id if outer is not None else 0), info.defsite)
    _lanes[f] = _Lane(nid, RUN, info, outer)


def _on_resume(L, threw):
    global _pend, _pk
    _pend = None
    _pk = 0
    st = L.st
    if st == RUN or (st == SUSPCHILD and not threw):
        return
    L.st = RUN
    lid = L.id
    if st == SUSPCHILD:
        c = L.child
        L.child = None
        if c is not None:
            _rec2(H_WOKEN | lid, c.id, H_RESUME | lid, threw)
            return
    elif L.wait:
        _rec2(H_WOKEN | lid, L.wait, H_RESUME | lid, threw)
        return
    _rec(H_RESUME | lid, threw)


def _members(lid, futs, depth=0):
    for x in futs:
        m = getattr(x, '_at_lane', 0) if isinstance(x, _TaskBase) else 0
        if m:
            _rec(H_WAITON | lid, m)
        elif depth < 8 and type(x) is _GF:
            _members(lid, getattr(x, '_children', ()) or (), depth + 1)


def _on_yield(f, L, off, value):
    global _pend, _pk, _pm
    st = L.st
    if st == SUSPCHILD:
        _pk = 0
        _pend = L
        return
    info = L.info
    lid = L.id
    site = info.ys.get(off, 0)
    if off in info.yv:
        # an async generator hands a value to its consumer: no suspension of the consumer
        L.st = SUSP
        L.wait = 0
        _rec(H_YIELD | lid, site)
        o = L.outer
        if o is not None and o.st == SUSPCHILD and o.child is L:
            o.st = RUN
            o.child = None
            _rec2(H_WOKEN | o.id, lid, H_RESUME | o.id, 0)
        _pend = None
        _pk = 0
        return
    p = _pend
    if p is not None and p.outer is L:
        L.st = SUSPCHILD
        L.child = p
        L.wait = 0
        _rec2(H_YIELD | lid, site, H_WAITON | lid, p.id)
    else:
        L.st = SUSP
        L.wait = 0
        pk = _pk
        if pk:
            _rec2(H_YIELD | lid, site, H_WAITKIND | lid, pk)
            if _pm:
                _members(lid, _pm)
        elif value is None:
            _rec2(H_YIELD | lid, site, H_WAITKIND | lid, W_SLEEP)
        elif isinstance(value, _TaskBase):
            m = getattr(value, '_at_lane', 0)
            if m:
                L.wait = m
                _rec2(H_YIELD | lid, site, H_WAITON | lid, m)
            else:
                _rec2(H_YIELD | lid, site, H_WAITKIND | lid, W_FUTURE)
        elif type(value) is _GF:
            _rec2(H_YIELD | lid, site, H_WAITKIND | lid, W_GATHER)
            _members(lid, getattr(value, '_children', ()) or ())
        else:
            k = W_FUTURE
            try:
                if value in _thread_futs:
                    k = W_THREAD
            except TypeError:
                pass
            _rec2(H_YIELD | lid, site, H_WAITKIND | lid, k)
    _pk = 0
    _pm = None
    _pend = L if L.outer is not None else None


def _on_end(f, L, exc, ok, cancelled=False):
    global _pend, _pk
    _pend = None
    _pk = 0
    _lanes.pop(f, None)
    lid = L.id
    if ok:
        _rec(H_OK | lid, 0)
    else:
        if exc is not None:
            cancelled = isinstance(exc, _Cancelled)
        _rec(H_ERR | lid, 1 if cancelled else 0)
        if exc is not None and not cancelled:
            _later_msg({'type': 'settle-error', 'task': lid, 'error': _exc_line(exc)})
    o = L.outer
    if o is not None and o.st == SUSPCHILD and o.child is L:
        o.st = RUN
        o.child = None
        _rec2(H_WOKEN | o.id, lid, H_RESUME | o.id, 0 if ok else 1)


def _exc_line(exc):
    try:
        import traceback
        return ''.join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
    except Exception:
        return type(exc).__name__


def _lib_yield(info, f):
    global _pk, _pm
    _pk = info.wk
    _pm = None
    if info.wk == W_WAIT:
        try:
            _pm = list(f.f_locals.get('fs') or ())
        except Exception:
            _pm = None
    elif info.wk == W_TASKGROUP:
        try:
            _pm = list(f.f_locals.get('self')._tasks)
        except Exception:
            _pm = None


# ---------------------------------------------------------------------------------------------
# Backend: sys.monitoring (3.12+)

_getframe = sys._getframe


def _install_monitoring():
    mon = sys.monitoring
    DISABLE = mon.DISABLE
    E = mon.events
    tool = None
    for t in (4, 3):
        if mon.get_tool(t) is None:
            tool = t
            break
    if tool is None:
        return False
    mon.use_tool_id(tool, 'async-timeline')
    codes = _codes
    lanes = _lanes
    classify = _classify

    def m_start(code, off):
        info = codes.get(id(code))
        if info is None:
            info = classify(code)
        if info.k != K_LANE:
            if info.k == K_MAIN and not _started:
                _start_frame()
            return DISABLE
        f = _getframe(1)
        back = f.f_back
        outer = lanes.get(back) if back is not None else None
        if outer is not None and f not in lanes:
            # `await coro()` straight from a lane (the common nested await): _on_start with the
            # walks done — the parent is that lane, and its frame (a user coroutine's) the call site
            global _next_id, _pend, _pk
            _pend = None
            _pk = 0
            _next_id += 1
            nid = _next_id
            _rec2(H_CREATE | outer.id, info.defsite, H_CALLSITE | nid, _sites_at(back))
            lanes[f] = _Lane(nid, RUN, info, outer)
            return
        _on_start(f, info)

    # Fast paths look the frame up first: a frame that is a lane is a user coroutine's.
    def m_resume(code, off):
        L = lanes.get(_getframe(1))
        if L is not None:
            global _pend, _pk
            _pend = None
            _pk = 0
            st = L.st
            if st == SUSP:
                L.st = RUN
                if L.wait:
                    _rec2(H_WOKEN | L.id, L.wait, H_RESUME | L.id, 0)
                else:
                    _rec(H_RESUME | L.id, 0)
            elif st != RUN and st != SUSPCHILD:
                _on_resume(L, 0)
            return
        info = codes.get(id(code))
        if info is None:
            info = classify(code)
        if info.k != K_LANE:
            return DISABLE

    def m_throw(code, off, exc):
        info = codes.get(id(code))
        if info is None:
            info = classify(code)
        if info.k != K_LANE:
            return
        L = lanes.get(_getframe(1))
        if L is not None:
            _on_resume(L, 1)

    def m_yield(code, off, value):
        global _n, _pend, _pk, _pm
        f = _getframe(1)
        L = lanes.get(f)
        if L is not None:
            # the common await (a bare None, e.g. sleep(0), nothing pending): _on_yield's
            # W_SLEEP branch, inlined with _rec2; everything else goes through _on_yield
            if value is None and _pend is None and not _pk and L.st == RUN:
                info = L.info
                i = _n
                if off not in info.yv and i + 1 < _lim:
                    L.st = SUSP
                    L.wait = 0
                    lid = L.id
                    t = (_pc() - _origin) * 1000.0
                    o = i << 4
                    _pack(_buf, o, t, H_YIELD | lid, info.ys.get(off, 0))
                    _pack(_buf, o + 16, t, H_WAITKIND | lid, W_SLEEP)
                    _n = i + 2
                    _pm = None
                    if L.outer is not None:
                        _pend = L
                    return
            _on_yield(f, L, off, value)
            return
        info = codes.get(id(code))
        if info is None:
            info = classify(code)
        k = info.k
        if k == K_LIB:
            wk = info.wk
            if wk == W_WAIT or wk == W_TASKGROUP:
                _lib_yield(info, f)
            elif wk == W_SLEEP and value is None:
                # sleep(0) handing None up: the user's lane that yields it next records W_SLEEP
                # for a None with no wait kind pending, so this location needs no callback (any
                # library coroutine further out still sets its own kind).
                return DISABLE
            else:
                _pk = wk
                _pm = None
            return
        if k == K_LANE:
            return
        return DISABLE

    def m_return(code, off, value):
        f = _getframe(1)
        L = lanes.get(f)
        if L is not None:
            _on_end(f, L, None, True)
            return
        info = codes.get(id(code))
        if info is None:
            info = classify(code)
        if info.k != K_LANE:
            return DISABLE

    def m_unwind(code, off, exc):
        info = codes.get(id(code))
        if info is None:
            info = classify(code)
        k = info.k
        if k == K_LANE:
            f = _getframe(1)
            L = lanes.get(f)
            if L is not None:
                _on_end(f, L, exc, isinstance(exc, GeneratorExit))
        elif k == K_MAIN:
            _main_unwind(exc)

    reg = mon.register_callback
    reg(tool, E.PY_START, m_start)
    reg(tool, E.PY_RESUME, m_resume)
    reg(tool, E.PY_THROW, m_throw)
    reg(tool, E.PY_YIELD, m_yield)
    reg(tool, E.PY_RETURN, m_return)
    reg(tool, E.PY_UNWIND, m_unwind)

    # PY_START is global: it is how a code object is first seen (and DISABLEd when it is not the
    # user's); PY_THROW and PY_UNWIND can only be global. The rest are turned on per code object
    # once it is classified: a user coroutine's resumes, yields and returns, the yields of a
    # library coroutine that names a wait. So the interpreter never instruments the rest of the
    # program (asyncio itself, every library) for them and never calls back to be DISABLEd at
    # each of their locations.
    per_kind = {
        K_LANE: E.PY_RESUME | E.PY_YIELD | E.PY_RETURN,
        K_LIB: E.PY_YIELD,
    }
    armed = []
    set_local = mon.set_local_events

    def arm(code, k):
        ev = per_kind.get(k)
        if ev:
            try:
                set_local(tool, code, ev)
                armed.append(code)
            except Exception:
                pass

    global _arm
    for cid, info in list(codes.items()):
        if info.k == K_LIB:
            code = next((c for c in _keep if id(c) == cid), None)
            if code is not None:
                arm(code, K_LIB)
    _arm = arm
    mon.set_events(tool, E.PY_START | E.PY_THROW | E.PY_UNWIND)

    def stop():
        global _arm
        _arm = None
        try:
            mon.set_events(tool, 0)
            for code in armed:
                set_local(tool, code, 0)
        except Exception:
            pass

    return stop


def _main_unwind(exc):
    global _exit_code
    if isinstance(exc, SystemExit):
        c = exc.code
        _exit_code = 0 if c is None else (c if isinstance(c, int) else 1)
    elif isinstance(exc, KeyboardInterrupt):
        _exit_code = 130
    else:
        _exit_code = 1


# ---------------------------------------------------------------------------------------------
# Backend: sys.setprofile (3.11)


def _profile_events():
    """The five event strings sys.setprofile passes, as the very objects it passes, or None."""
    seen = {}

    def probe(frame, event, arg):
        seen.setdefault(event, event)

    def raises():
        len(())
        try:
            len(1)
        except TypeError:
            pass

    old = sys.getprofile()
    sys.setprofile(probe)
    try:
        raises()
    finally:
        sys.setprofile(old)
    names = ('call', 'return', 'c_call', 'c_return', 'c_exception')
    if any(n not in seen for n in names):
        return None
    return tuple(seen[n] for n in names)


def _install_profile():
    RESUME = dis.opmap['RESUME']
    YIELD = dis.opmap['YIELD_VALUE']
    RET = dis.opmap['RETURN_VALUE']
    codes = _codes
    lanes = _lanes
    classify = _classify
    cur = asyncio.tasks.current_task

    def end_exc(f, L, at_value_yield):
        if at_value_yield:
            # an async generator closed at its yield (aclose / GeneratorExit): a normal end
            _on_end(f, L, None, True)
            return
        cancelled = False
        t = None
        try:
            t = cur()
            cancelled = t is not None and t.cancelling() > 0
        except Exception:
            pass
        _on_end(f, L, None, False, cancelled)
        if not cancelled and L.task is not None:
            try:
                L.task.add_done_callback(_ErrReport(L.id))
            except Exception:
                pass

    # The profile function runs for every call and return of every Python and C function of the
    # program: the common cases leave after as few bytecodes as possible. The interpreter passes
    # the same event string objects every time (not the interned literals): learn them once, so
    # `is` compares them (bound as defaults: locals).
    ev = _profile_events()
    if ev is None:
        return None
    CALL_, RETURN_, C_CALL_, C_RETURN_, C_EXC_ = ev

    def prof(frame, event, arg, CALL=CALL_, RETURN=RETURN_, C_CALL=C_CALL_, C_RETURN=C_RETURN_, C_EXC=C_EXC_):
        if event is not CALL and event is not RETURN:  # c_call / c_return / c_exception
            return
        code = frame.f_code
        if not code.co_flags & 0x280:  # no coroutine / async generator (0x100 `__sleep0` too)
            return
        global _n, _pend, _pk, _pm, _next_id
        # The common lane events are inlined (records packed here, one clock read per instant):
        # each Python call saved is a measurable share of an await on 3.11. Anything unusual goes
        # to the lane engine (_on_start/_on_resume/_on_yield/_on_end), which they mirror.
        L = lanes.get(frame)
        if L is not None:
            info = L.info
            co = info.co
            lasti = frame.f_lasti
            op = co[lasti]
            if event is CALL:
                if op == RESUME:
                    if co[lasti + 1] == 0:
                        _on_start(frame, info)  # a scheduled Task's first step
                        return
                    _pend = None
                    _pk = 0
                    st = L.st
                    if st == SUSP:
                        L.st = RUN
                        i = _n
                        if i + 1 < _lim:
                            lid = L.id
                            o = i << 4
                            t = (_pc() - _origin) * 1000.0
                            if L.wait:
                                _pack2(_buf, o, t, H_WOKEN | lid, L.wait, t, H_RESUME | lid, 0)
                                _n = i + 2
                            else:
                                _pack(_buf, o, t, H_RESUME | lid, 0)
                                _n = i + 1
                        elif L.wait:
                            _rec2(H_WOKEN | L.id, L.wait, H_RESUME | L.id, 0)
                        else:
                            _rec(H_RESUME | L.id, 0)
                    elif st != RUN and st != SUSPCHILD:
                        _on_resume(L, 0)
                    return
                _on_resume(L, 1)
                return
            if event is RETURN:
                if op == YIELD:
                    if arg is None and lasti in info.yv:
                        end_exc(frame, L, True)
                        return
                    st = L.st
                    if st == SUSPCHILD:
                        # an outer lane passing its child's suspension through again (_on_yield)
                        _pk = 0
                        _pend = L
                        return
                    if st == RUN and lasti not in info.yv:
                        p = _pend
                        i = _n
                        if i + 1 < _lim and (p is None and not _pk and arg is None or p is not None and p.outer is L):
                            lid = L.id
                            o = i << 4
                            t = (_pc() - _origin) * 1000.0
                            L.wait = 0
                            if p is None:
                                # the common await (a bare None, e.g. sleep(0), nothing pending)
                                L.st = SUSP
                                _pack2(_buf, o, t, H_YIELD | lid, info.ys.get(lasti, 0), t, H_WAITKIND | lid, W_SLEEP)
                            else:
                                # the first suspension of the lane its awaited child suspended
                                L.st = SUSPCHILD
                                L.child = p
                                _pack2(_buf, o, t, H_YIELD | lid, info.ys.get(lasti, 0), t, H_WAITON | lid, p.id)
                            _n = i + 2
                            _pk = 0
                            _pm = None
                            _pend = L if L.outer is not None else None
                            return
                    _on_yield(frame, L, lasti, arg)
                elif op == RET:
                    # normal end (_on_end, ok): Ok, and the awaiter waiting on it resumes
                    _pend = None
                    _pk = 0
                    del lanes[frame]
                    lid = L.id
                    ou = L.outer
                    i = _n
                    if i + 2 < _lim:
                        o = i << 4
                        t = (_pc() - _origin) * 1000.0
                        if ou is not None and ou.st == SUSPCHILD and ou.child is L:
                            ou.st = RUN
                            ou.child = None
                            oid = ou.id
                            _pack3(_buf, o, t, H_OK | lid, 0, t, H_WOKEN | oid, lid, t, H_RESUME | oid, 0)
                            _n = i + 3
                        else:
                            _pack(_buf, o, t, H_OK | lid, 0)
                            _n = i + 1
                    else:
                        lanes[frame] = L
                        _on_end(frame, L, None, True)
                else:
                    end_exc(frame, L, False)
            return
        info = codes.get(id(code))
        if info is None:
            info = classify(code)
        k = info.k
        if k == K_LANE:
            if event is CALL:
                lasti = frame.f_lasti
                co = info.co
                if co[lasti] == RESUME and co[lasti + 1] == 0:
                    back = frame.f_back
                    outer = lanes.get(back) if back is not None else None
                    if outer is None:
                        _on_start(frame, info)
                        return
                    # `await coro()` straight from a lane (the common nested await): _on_start
                    # with the walks done — the parent is that lane, its frame the call site
                    _pend = None
                    _pk = 0
                    _next_id += 1
                    nid = _next_id
                    cs = outer.info.cs
                    bl = back.f_lasti
                    s = cs.get(bl)
                    if s is None:
                        s = cs[bl] = _sites_at(back)
                    i = _n
                    if i + 1 < _lim:
                        o = i << 4
                        t = (_pc() - _origin) * 1000.0
                        _pack2(_buf, o, t, H_CREATE | outer.id, info.defsite, t, H_CALLSITE | nid, s)
                        _n = i + 2
                    else:
                        _rec2(H_CREATE | outer.id, info.defsite, H_CALLSITE | nid, s)
                    lanes[frame] = _Lane(nid, RUN, info, outer)
        elif k == K_LIB:
            if event is RETURN and info.co[frame.f_lasti] == YIELD:
                wk = info.wk
                if wk == W_WAIT or wk == W_TASKGROUP:
                    _lib_yield(info, frame)
                elif wk != W_SLEEP or arg is not None:
                    # (sleep(0) handing None up needs no kind: the lane yielding a None with
                    # nothing pending records W_SLEEP itself)
                    _pk = wk
                    _pm = None

    def before_start(frame, event, arg):
        # until the user's first module starts (t = 0), then the profile function proper
        if event == 'call':
            code = frame.f_code
            if code.co_name == '<module>' and _is_user_code(code):
                _start_frame()
        if _started:
            global _quiet
            _quiet = prof
            sys.setprofile(prof)
        prof(frame, event, arg)

    global _quiet
    _quiet = prof if _started else before_start
    sys.setprofile(_quiet)
    unquiet = _install_quiet_loop()

    def stop():
        global _quiet
        _quiet = None
        unquiet()
        try:
            sys.setprofile(None)
        except Exception:
            pass

    return stop


_qoff = False  # the profile hook is off for the event loop's own bookkeeping (_install_quiet_loop)


def _install_quiet_loop():
    """3.11 (profile backend): the hook is off while the event loop does its own bookkeeping
    (`_run_once`: select, timers, the ready queue) and on again for each callback it runs
    (`Handle._run`: task steps, done callbacks, the program's own callbacks). No coroutine runs
    in that bookkeeping, yet under the hook each of its ~13 Python and C calls per iteration
    (select, time, popleft, len, max…) was two callbacks: about half of the callbacks of an
    await storm. A garbage collection there (which may close a coroutine) runs with the hook
    on. Only where the hook is on at `_run_once` (the program's thread; a loop in another
    thread has no hook and is left alone); the wrappers drop their own traceback entry when
    KeyboardInterrupt / SystemExit pass through, so tracebacks stay Python's own."""
    BEL = asyncio.base_events.BaseEventLoop
    H = asyncio.events.Handle
    orig_once = BEL.__dict__.get('_run_once')
    orig_run = H.__dict__.get('_run')
    if orig_once is None or orig_run is None:
        return lambda: None
    setp = sys.setprofile
    getp = sys.getprofile
    me = threading.get_ident()
    get_ident = threading.get_ident

    def _run_once(self):
        global _qoff
        q = _quiet
        if q is None or _qoff or self._at_quiet or getp() is not q:
            return orig_once(self)
        self._at_quiet = True
        _qoff = True
        setp(None)
        try:
            orig_once(self)
        except BaseException as e:
            self._at_quiet = False
            _qoff = False
            setp(_quiet)
            tb = e.__traceback__
            if tb is not None and tb.tb_frame.f_code is _run_once.__code__:
                e.__traceback__ = tb.tb_next
            raise
        self._at_quiet = False
        _qoff = False
        setp(_quiet)

    def _run(self):
        global _qoff
        try:
            quiet = self._loop._at_quiet
        except AttributeError:
            quiet = False
        if not quiet or not _qoff:
            return orig_run(self)
        q = _quiet
        if q is None:
            return orig_run(self)
        _qoff = False
        setp(q)
        try:
            orig_run(self)
        except BaseException as e:
            setp(None)
            _qoff = True
            tb = e.__traceback__
            if tb is not None and tb.tb_frame.f_code is _run.__code__:
                e.__traceback__ = tb.tb_next
            raise
        setp(None)
        _qoff = True

    gc_on = []

    def on_gc(phase, info):
        # a collection while the hook is off (the loop's bookkeeping, call_soon, create_task)
        # may close a suspended coroutine: hook on for it
        if phase == 'start':
            q = _quiet
            if q is not None and get_ident() == me and getp() is None:
                setp(q)
                gc_on.append(1)
        elif gc_on:
            gc_on.pop()
            setp(None)

    orig_cs = BEL.__dict__.get('call_soon')

    def call_soon(self, callback, *args, context=None):
        # Runs none of the program's code (it checks the callback and queues a Handle), yet it
        # is ~12 hook calls (_check_closed, _call_soon, Handle.__init__, get_debug…) after every
        # task step: off for it, where the hook is on (the program's thread)
        q = _quiet
        if q is None or getp() is not q:
            return orig_cs(self, callback, *args, context=context)
        setp(None)
        try:
            h = orig_cs(self, callback, *args, context=context)
        except BaseException as e:
            setp(_quiet)
            tb = e.__traceback__
            if tb is not None and tb.tb_frame.f_code is call_soon.__code__:
                e.__traceback__ = tb.tb_next
            raise
        setp(_quiet)
        return h

    if orig_cs is not None:
        call_soon.__name__ = orig_cs.__name__
        call_soon.__qualname__ = orig_cs.__qualname__
        call_soon.__doc__ = orig_cs.__doc__
        call_soon.__wrapped__ = orig_cs
        BEL.call_soon = call_soon

    for w, o in ((_run_once, orig_once), (_run, orig_run)):
        w.__name__ = o.__name__
        w.__qualname__ = o.__qualname__
        w.__doc__ = o.__doc__
        w.__wrapped__ = o
    BEL._at_quiet = False
    BEL._run_once = _run_once
    H._run = _run
    import gc
    gc.callbacks.append(on_gc)

    def undo():
        try:
            gc.callbacks.remove(on_gc)
        except ValueError:
            pass

    return undo


class _ErrReport:
    __slots__ = ('lid',)

    def __init__(self, lid):
        self.lid = lid

    def __call__(self, task):
        try:
            if not task.cancelled():
                # not task.exception(): that would mark it retrieved and silence asyncio's
                # "Task exception was never retrieved"
                e = getattr(task, '_exception', None)
                if e is not None:
                    _later_msg({'type': 'settle-error', 'task': self.lid, 'error': _exc_line(e)})
        except BaseException:
            pass


# ---------------------------------------------------------------------------------------------
# asyncio hooks: task creation, done callbacks, what a library wait is

_CTask = asyncio.tasks.Task
_TaskBase = asyncio.Task
_GF = asyncio.tasks._GatheringFuture
_Cancelled = asyncio.CancelledError
_thread_futs = weakref.WeakKeyDictionary()
_stop_backend = None


class _DoneRec:
    """Runs right before the user's done callback (registered just before it): records it."""
    __slots__ = ('lid', 'site', 'fn')

    def __init__(self, lid, site, fn):
        self.lid = lid
        self.site = site
        self.fn = fn

    def __call__(self, fut):
        if _on:
            _rec(H_DONE | self.lid, self.site)


class Task(_CTask):
    # slots: the tracer's two attributes do not give every Task an instance dict (more memory,
    # more work for the cyclic collector); a program's own attributes still get one
    __slots__ = ("_at_lane", "_at_cbs")

    def add_done_callback(self, fn, *, context=None):
        if _on:
            c = _getframe(1).f_code
            u = _ucode.get(id(c))
            if u is None:
                u = _is_user_code(c)
            if u:
                f = _getframe(1)
                lid = getattr(self, '_at_lane', 0)
                if lid:
                    r = _DoneRec(lid, _sites_at(f) + 2, fn)
                    _CTask.add_done_callback(self, r, context=context)
                    try:
                        self._at_cbs.append(r)
                    except AttributeError:
                        self._at_cbs = [r]
        return _CTask.add_done_callback(self, fn, context=context)

    def remove_done_callback(self, fn):
        n = _CTask.remove_done_callback(self, fn)
        if n:
            recs = getattr(self, '_at_cbs', None)
            if recs:
                for r in [r for r in recs if r.fn == fn]:
                    recs.remove(r)
                    _CTask.remove_done_callback(self, r)
        return n


Task.__module__ = _CTask.__module__
Task.__qualname__ = 'Task'


# 3.11 (profile backend): the profile function to put back after tracer bookkeeping that runs in
# the program's thread with the hook off (None on 3.12+: sys.monitoring DISABLEs our own code).
_quiet = None


def _task_lane(coro, f):
    """A Task is being made for `coro` from frame `f`: its lane, created now as scheduled (the
    creating lane is the parent, the first user frame the call site), or None."""
    global _next_id
    fr = getattr(coro, 'cr_frame', None)
    if fr is None or fr in _lanes:
        return None
    info = _codes.get(id(fr.f_code))
    if info is None:
        info = _classify(fr.f_code)
    if info.k != K_LANE:
        return None
    # one walk up: the creating lane (parent) and the first user frame (call site)
    outer = None
    uf = None
    hops = 40
    lanes = _lanes
    ucode = _ucode
    while f is not None and hops:
        if uf is None:
            u = ucode.get(id(f.f_code))
            if u is None:
                u = _is_user_code(f.f_code)
            if u:
                uf = f
        outer = lanes.get(f)
        if outer is not None:
            break
        f = f.f_back
        hops -= 1
    _next_id += 1
    nid = _next_id
    _rec(H_CREATE | (outer.id if outer is not None else 0), info.defsite)
    if uf is not None:
        s = _sites_at(uf)
        _rec2(H_CALLSITE | nid, s, H_YIELD | nid, s + 1)
    else:
        _rec(H_YIELD | nid, 0)
    L = _Lane(nid, SCHED, info, None)
    _lanes[fr] = L
    return L


def _task_made(t, L):
    """The Task `t` for lane L exists: its asyncio name goes out, the lane keeps it (3.11)."""
    try:
        t._at_lane = L.id
    except Exception:
        pass
    try:
        name = t.get_name()
    except Exception:
        name = None
    if name is not None:
        # pre-encoded: one frame per Task, so no json.dumps of a dict per task
        body = ('{"type":"taskinfo","task":%d,"taskName":%s}' % (L.id, _enc_str(str(name)))).encode()
        _later_msg(_HDR(len(body), FRAME_JSON) + body)
    if _backend == 'setprofile':
        L.task = t


def _install_asyncio_hooks():
    BEL = asyncio.base_events.BaseEventLoop
    orig_ct = BEL.create_task
    orig_rie = BEL.run_in_executor

    def create_task(self, coro, *args, **kwargs):
        if not _on:
            return orig_ct(self, coro, *args, **kwargs)
        q = _quiet
        if q is None:
            L = _task_lane(coro, _getframe(1))
            t = orig_ct(self, coro, *args, **kwargs)
            if L is not None:
                _task_made(t, L)
            return t
        # 3.11: the bookkeeping runs with the profile hook off (each of its calls would be one
        # more event for the hook). Without a task factory the original create_task runs no code
        # of the program's (the C Task, call_soon, the task registry): hook off for all of it,
        # ~10 hook calls fewer per task; a task factory of the program's own runs with the hook on
        setp = sys.setprofile
        if self._task_factory is None:
            setp(None)
            try:
                L = _task_lane(coro, _getframe(1))
                t = orig_ct(self, coro, *args, **kwargs)
                if L is not None:
                    _task_made(t, L)
            except BaseException as e:
                setp(_quiet)
                tb = e.__traceback__
                if tb is not None and tb.tb_frame.f_code is create_task.__code__:
                    e.__traceback__ = tb.tb_next  # the traceback stays Python's own
                raise
            setp(_quiet)
            return t
        setp(None)
        try:
            L = _task_lane(coro, _getframe(1))
        finally:
            setp(q)
        t = orig_ct(self, coro, *args, **kwargs)
        if L is not None:
            setp(None)
            try:
                _task_made(t, L)
            finally:
                setp(q)
        return t

    def run_in_executor(self, executor, func, *args):
        fut = orig_rie(self, executor, func, *args)
        try:
            _thread_futs[fut] = 1
        except TypeError:
            pass
        return fut

    orig_ceh = BEL.call_exception_handler

    def call_exception_handler(self, context):
        # "Task exception was never retrieved" and alike: told, not fatal -> a `warning` frame
        if _on:
            try:
                msg = str(context.get('message') or 'asyncio exception handler called')
                exc = context.get('exception')
                if exc is not None:
                    msg += ': ' + _exc_line(exc)
                _later_msg({'type': 'warning', 'message': msg})
            except Exception:
                pass
        return orig_ceh(self, context)

    call_exception_handler.__name__ = orig_ceh.__name__
    call_exception_handler.__qualname__ = orig_ceh.__qualname__
    BEL.call_exception_handler = call_exception_handler
    create_task.__name__ = orig_ct.__name__
    create_task.__qualname__ = orig_ct.__qualname__
    create_task.__doc__ = orig_ct.__doc__
    run_in_executor.__name__ = orig_rie.__name__
    run_in_executor.__qualname__ = orig_rie.__qualname__
    BEL.create_task = create_task
    BEL.run_in_executor = run_in_executor
    asyncio.tasks.Task = Task

    # Library coroutines whose suspension names what the user's await waited on (the outermost
    # one of a chain wins: wait_for(...) is a timeout even when it waits on a sleep inside).
    lib = []
    L = asyncio.locks
    Q = asyncio.queues.Queue
    S = asyncio.streams
    P = asyncio.subprocess
    T = asyncio.tasks
    lib += [(T.sleep, W_SLEEP), (T.wait_for, W_TIMEOUT), (T._wait, W_WAIT)]
    lib += [(Q.get, W_QUEUE), (Q.put, W_QUEUE), (Q.join, W_QUEUE)]
    lib += [(L.Lock.acquire, W_LOCK), (L.Event.wait, W_EVENT), (L.Semaphore.acquire, W_SEMAPHORE)]
    lib += [(L.Condition.wait, W_CONDITION), (L.Condition.wait_for, W_CONDITION)]
    lib += [(asyncio.threads.to_thread, W_THREAD)]
    lib += [(P.Process.wait, W_SUBPROCESS), (P.Process.communicate, W_SUBPROCESS),
            (P.create_subprocess_exec, W_SUBPROCESS), (P.create_subprocess_shell, W_SUBPROCESS)]
    lib += [(S.StreamReader._wait_for_data, W_STREAM), (S.StreamWriter.drain, W_STREAM),
            (S.open_connection, W_STREAM), (S.start_server, W_STREAM)]
    if hasattr(S.StreamWriter, 'wait_closed'):
        lib.append((S.StreamWriter.wait_closed, W_STREAM))
    try:
        import asyncio.taskgroups as TG
        lib.append((TG.TaskGroup.__aexit__, W_TASKGROUP))
        if hasattr(TG.TaskGroup, '_aexit'):
            lib.append((TG.TaskGroup._aexit, W_TASKGROUP))
    except Exception:
        pass
    try:
        lib.append((L.Barrier.wait, W_EVENT))
    except Exception:
        pass
    for fn, wk in lib:
        code = getattr(fn, '__code__', None)
        if code is None:
            continue
        info = _Info(K_LIB)
        info.wk = wk
        info.co = code.co_code
        _codes[id(code)] = info
        _keep.append(code)


# ---------------------------------------------------------------------------------------------
# Who woke a waiter on an asyncio primitive (Lock, Semaphore, Event, Condition, Queue)
#
# Those classes are pure Python: each waking method (`release`, `set`, `notify`, `put_nowait`…)
# completes waiter futures it keeps in a known attribute. The wrapper snapshots the waiters that
# are still pending, calls the original unchanged, and for each waiter it completed finds the
# innermost lane of the task that awaits it (the task's wakeup callback on the future, then the
# task's coroutine chain) and stores the waking lane in that lane's `wait`: the resume paths
# already send `WokenBy(lane, wait)` before the `Resume`. Only when the call happens inside a
# lane and someone is waiting; otherwise it is one getattr more than the original.


def _waiting_lane(fut):
    """The innermost suspended lane of the task whose wakeup callback sits on `fut`, or None."""
    try:
        cbs = fut._callbacks
    except Exception:
        return None
    for cb in cbs or ():
        task = getattr(cb[0] if type(cb) is tuple else cb, '__self__', None)
        if not isinstance(task, _TaskBase):
            continue
        try:
            c = task.get_coro()
        except Exception:
            return None
        found = None
        for _ in range(40):
            fr = getattr(c, 'cr_frame', None) or getattr(c, 'ag_frame', None) or getattr(c, 'gi_frame', None)
            if fr is None:
                break
            L = _lanes.get(fr)
            if L is not None:
                found = L
            c = getattr(c, 'cr_await', None) or getattr(c, 'ag_await', None) or getattr(c, 'gi_yieldfrom', None)
        return found if found is not None and found.st == SUSP else None
    return None


def _waiter(fut, me):
    """The suspended lane waiting on the still pending `fut`, when it is another than `me`."""
    try:
        if fut.done():
            return None
    except Exception:
        return None
    L = _waiting_lane(fut)
    return None if L is None or L is me else L


def _woke(L, me):
    """`me` completed what lane L waits on: its resume says so (WokenBy), if it still waits."""
    if L.st == SUSP:
        L.wait = me.id


def _waker(orig, attr):
    def wake(self, *args, **kwargs):
        ws = getattr(self, attr, None) if _on else None
        if not ws:
            return orig(self, *args, **kwargs)
        me = _lane_above(_getframe(1))
        if me is None:
            return orig(self, *args, **kwargs)
        pending = []
        for fut in list(ws):
            L = _waiter(fut, me)
            if L is not None:
                pending.append((fut, L))
        r = orig(self, *args, **kwargs)
        for fut, L in pending:
            try:
                if fut.done() and not fut.cancelled():
                    _woke(L, me)
            except Exception:
                pass
        return r

    wake.__name__ = orig.__name__
    wake.__qualname__ = orig.__qualname__
    wake.__doc__ = orig.__doc__
    wake.__module__ = orig.__module__
    wake.__wrapped__ = orig
    return wake


_CFuture = asyncio.futures.Future


def _resolving(fut):
    """(the lane completing `fut` now, the suspended lane waiting on it) when both are known."""
    if not _on:
        return None
    me = _lane_above(_getframe(2))
    if me is None:
        return None
    L = _waiter(fut, me)
    return None if L is None else (me, L)


def _resolved(pair):
    _woke(pair[1], pair[0])


class Future(_CFuture):
    """What `loop.create_future()` returns to the user's own code: completing it from a lane
    (`set_result`, `set_exception`, `cancel`) notes that lane as the waiter's waker. Futures the
    library makes for itself (sleeps, lock waiters) stay C futures."""
    __slots__ = ()

    def set_result(self, result):
        p = _resolving(self)
        r = _CFuture.set_result(self, result)
        if p is not None:
            _resolved(p)
        return r

    def set_exception(self, exception):
        p = _resolving(self)
        r = _CFuture.set_exception(self, exception)
        if p is not None:
            _resolved(p)
        return r

    def cancel(self, msg=None):
        p = _resolving(self)
        r = _CFuture.cancel(self, msg)
        if p is not None and r:
            _resolved(p)
        return r


Future.__module__ = _CFuture.__module__
Future.__qualname__ = 'Future'


def _install_future_hook():
    BEL = asyncio.base_events.BaseEventLoop
    orig = BEL.create_future
    ucode = _ucode

    def create_future(self):
        if _on:
            c = _getframe(1).f_code
            u = ucode.get(id(c))
            if u is None:
                u = _is_user_code(c)
            if u:
                return Future(loop=self)
        return orig(self)

    create_future.__name__ = orig.__name__
    create_future.__qualname__ = orig.__qualname__
    create_future.__doc__ = orig.__doc__
    create_future.__wrapped__ = orig
    BEL.create_future = create_future


def _install_waker_hooks():
    _install_future_hook()
    L = asyncio.locks
    Q = asyncio.queues.Queue
    for cls, name, attr in (
        (L.Lock, 'release', '_waiters'),
        (L.Semaphore, 'release', '_waiters'),
        (L.Event, 'set', '_waiters'),
        (L.Condition, 'notify', '_waiters'),
        (L.Condition, 'notify_all', '_waiters'),
        (Q, 'put_nowait', '_getters'),
        (Q, 'get_nowait', '_putters'),
    ):
        orig = cls.__dict__.get(name)
        if orig is not None:
            setattr(cls, name, _waker(orig, attr))


# ---------------------------------------------------------------------------------------------
# Ending: errors, exit, stop file


def _stop_hooks():
    global _on
    _on = False
    if _stop_backend is not None:
        _stop_backend()


def _events():
    return _total + _n


def _error_site(tb):
    site = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if _is_user_code(code):
            line, col = _where(code, tb.tb_lasti)
            if tb.tb_lineno:
                line = tb.tb_lineno
            fn = _abs(code.co_filename)
            site = {'file': fn, 'line': line, 'column': _col16(fn, line, col)}
        tb = tb.tb_next
    return site


def _excepthook_factory(prev):
    def excepthook(tp, val, tb):
        global _exit_code
        try:
            if _fd >= 0 and not _closed:
                import traceback
                _exit_code = 130 if issubclass(tp, KeyboardInterrupt) else 1
                msg = ''.join(traceback.format_exception_only(tp, val)).strip().splitlines()
                m = {
                    'type': 'error',
                    'kind': 'uncaughtException',
                    'message': msg[-1] if msg else tp.__name__,
                    'stack': ''.join(traceback.format_exception(tp, val, tb)),
                }
                s = _error_site(tb)
                if s is not None:
                    m['site'] = s
                _now_json(m)
        except Exception:
            pass
        return prev(tp, val, tb)

    return excepthook


def _finish(code=None):
    global _closed
    if _closed:
        return
    if not _started:
        _start_frame()
    _stop_hooks()
    with _lock:
        _flush_locked()
        c = code if code is not None else (_exit_code if _exit_code is not None else 0)
        _write(_jframe({'type': 'end', 'reason': 'exit', 'code': c, 'events': _events()}))
        _closed = True


def _forked():
    """A forked child (multiprocessing 'fork') is not traced: it must not write the parent's
    unflushed records (or an `end`) into the parent's events file."""
    global _closed, _fd, _on
    _on = False
    _closed = True
    _fd = -1
    if _stop_backend is not None:
        try:
            _stop_backend()
        except Exception:
            pass


def _flusher(stop_file):
    answered = False
    while not _closed:
        time.sleep(0.01)
        try:
            with _lock:
                _flush_locked()
                if stop_file and not answered and not _closed and os.path.exists(stop_file):
                    answered = True
                    _write(_jframe({'type': 'stopping', 'events': _events()}))
        except Exception:
            pass


_started = False


def _start_frame():
    """t = 0: the user's first module (the script) starts; the `start` frame says when that was."""
    global _started, _origin
    if _started:
        return
    _started = True
    epoch = time.time() * 1000.0
    _origin = _pc()
    v = sys.version_info
    _pre.append({
            'type': 'start',
            'pid': os.getpid(),
            'epochMs': epoch,
            'runtime': 'cpython %d.%d.%d' % (v[0], v[1], v[2]),
            'backend': _backend,
            'maxEvents': _max,
        })
    _pre.extend(_ready_sites)
    _ready_sites.clear()


def boot(manifest_path):
    global _fd, _max, _lim, _origin, _on, _stop_backend, _backend, _cwd, _roots
    try:
        with open(manifest_path, 'r', encoding='utf-8') as fh:
            man = json.load(fh)
    except Exception as e:
        sys.stderr.write('async-timeline: cannot read the manifest %s (%s); running untraced\n' % (manifest_path, e))
        return
    if not man.get('trace', True):
        return
    _cwd = man.get('cwd') or os.getcwd()
    _roots = [os.path.abspath(r).rstrip(os.sep) + os.sep for r in man.get('userRoots') or [_cwd]]
    _max = int(man.get('maxEvents') or 5_000_000)
    _lim = CAP if _max > CAP else _max
    _fd = os.open(man['eventsFile'], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    _install_asyncio_hooks()
    _install_waker_hooks()
    _prepare_main()
    v = sys.version_info
    if v >= (3, 12):
        _backend = 'monitoring'
        _stop_backend = _install_monitoring()
        if _stop_backend is False:
            _backend = 'setprofile'
    else:
        _backend = 'setprofile'
    if _backend == 'setprofile':
        _stop_backend = _install_profile()
    sys.excepthook = _excepthook_factory(sys.excepthook)
    orig_exit = os._exit

    def _exit(n):
        try:
            _finish(n)
        except BaseException:
            pass
        orig_exit(n)

    _exit.__doc__ = orig_exit.__doc__
    os._exit = _exit
    atexit.register(_finish)
    os.register_at_fork(after_in_child=_forked)
    _on = True
    th = threading.Thread(target=_flusher, args=(man.get('stopFile'),), name='async-timeline-flusher', daemon=True)
    th.start()
