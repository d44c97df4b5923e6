// Shared helpers for the timeline unit tests: the hand-written fixture traces and tiny builders.
import fs from 'node:fs';
import path from 'node:path';
import type { Viewport } from '../../src/core/timeline/viewport';
import type { Segment, TaskRecord, Trace } from '../../src/protocol/trace';

/** Loads test/fixtures/traces/<name>.json (tests run from out/test/unit). */
export function loadTrace(name: string): Trace {
  const file = path.resolve(__dirname, '../../../test/fixtures/traces', `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Trace;
}

/** A minimal trace around the given tasks. */
export function makeTrace(tasks: TaskRecord[], durationMs = 100): Trace {
  return {
    format: 'async-timeline-trace',
    version: 1,
    language: 'javascript',
    entry: 'x.js',
    cwd: '/w',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs,
    exit: null,
    truncated: false,
    eventCount: 0,
    tasks,
    callbacks: [],
    output: [],
  };
}

/** A task whose segments alternate running/suspended at the given boundaries. */
export function makeTask(id: number, parentId: number | null, bounds: number[], name = `t${id}`): TaskRecord {
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    segments.push(
      i % 2 === 0
        ? { state: 'running', start: bounds[i], end: bounds[i + 1] }
        : {
            state: 'suspended',
            start: bounds[i],
            end: bounds[i + 1],
            site: { file: 'x.js', line: 10 + i, column: 3 },
            kind: 'await',
            awaits: [],
          },
    );
  }
  return {
    id,
    name,
    kind: 'function',
    parentId,
    definition: { file: 'x.js', line: 1, column: 1 },
    created: { t: bounds[0], site: { file: 'x.js', line: 100 + id, column: 1 } },
    settled: { t: bounds[bounds.length - 1], state: 'fulfilled' },
    segments,
  };
}

/** A 1000 × 400 px viewer at 1 ms per pixel from t = 0: the view tests' common start. */
export const VP: Viewport = {
  start: 0,
  msPerPx: 1,
  scrollTop: 0,
  width: 1000,
  height: 400,
  gutter: 200,
  axisHeight: 34,
  rowHeight: 26,
  dpr: 1,
};
