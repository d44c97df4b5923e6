// The PEER: the tracer a straightforward implementation would write with async_hooks —
// preloaded with `node --require`, it records init / before / after / promiseResolve for every
// async resource (every promise included) into growable arrays, with a timestamp each.
// It is measured side by side with our instrumentation on the same programs (bench/run.mjs).
// Nothing is printed; at exit it writes its event count to $PEER_REPORT if set.
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload, on purpose */
'use strict';
const asyncHooks = require('node:async_hooks');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

const INIT = 1;
const BEFORE = 2;
const AFTER = 3;
const RESOLVE = 4;
// One flat, growable array of numbers — kind, asyncId, trigger/0, time — per event. (Cheaper than
// an object per event or four parallel arrays: a fair peer, not a straw man.)
const log = [];
const types = new Map();

asyncHooks
  .createHook({
    init(asyncId, type, triggerAsyncId) {
      if (!types.has(type)) types.set(type, types.size);
      log.push(INIT, asyncId, triggerAsyncId, performance.now());
    },
    before(asyncId) {
      log.push(BEFORE, asyncId, 0, performance.now());
    },
    after(asyncId) {
      log.push(AFTER, asyncId, 0, performance.now());
    },
    promiseResolve(asyncId) {
      log.push(RESOLVE, asyncId, 0, performance.now());
    },
  })
  .enable();

process.on('exit', () => {
  if (process.env.PEER_REPORT)
    fs.writeFileSync(process.env.PEER_REPORT, JSON.stringify({ events: log.length / 4 }));
});
