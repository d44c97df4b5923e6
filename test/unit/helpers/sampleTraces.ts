/** Hand-made traces shaped like the runner's output, for tests of the pure editor/stats code. */
import type { Trace } from '../../../src/protocol/trace';

const F = 'examples/workers.ts';

/** The seed's worker example (examples/workers.ts): main creates worker1 and worker2. */
export function workersTrace(): Trace {
  return {
    format: 'async-timeline-trace',
    version: 1,
    language: 'typescript',
    entry: F,
    cwd: '/ws',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 2003.4,
    exit: { code: 0, signal: null, reason: 'exited' },
    truncated: false,
    eventCount: 20,
    tasks: [
      {
        id: 1,
        name: 'main',
        kind: 'function',
        parentId: null,
        definition: { file: F, line: 18, column: 1 },
        created: { t: 0.1, site: { file: F, line: 29, column: 1 } },
        settled: { t: 2003.1, state: 'fulfilled' },
        segments: [
          { state: 'running', start: 0.1, end: 0.4 },
          {
            state: 'suspended',
            start: 0.4,
            end: 1001.2,
            site: { file: F, line: 22, column: 3 },
            kind: 'await',
            awaits: [2],
            resumedBy: 2,
          },
          { state: 'running', start: 1001.2, end: 1001.3 },
          {
            state: 'suspended',
            start: 1001.3,
            end: 2002.9,
            site: { file: F, line: 24, column: 3 },
            kind: 'await',
            awaits: [3],
            resumedBy: 3,
          },
          { state: 'running', start: 2002.9, end: 2003.1 },
        ],
      },
      {
        id: 2,
        name: 'worker1',
        kind: 'function',
        parentId: 1,
        definition: { file: F, line: 6, column: 1 },
        created: { t: 0.2, site: { file: F, line: 19, column: 17 } },
        settled: { t: 1001.0, state: 'fulfilled' },
        segments: [
          { state: 'running', start: 0.2, end: 0.25 },
          {
            state: 'suspended',
            start: 0.25,
            end: 1000.9,
            site: { file: F, line: 8, column: 3 },
            kind: 'await',
            awaits: [],
            resumedBy: null,
          },
          { state: 'running', start: 1000.9, end: 1001.0 },
        ],
      },
      {
        id: 3,
        name: 'worker2',
        kind: 'function',
        parentId: 1,
        definition: { file: F, line: 12, column: 1 },
        created: { t: 0.3, site: { file: F, line: 20, column: 17 } },
        settled: { t: 2001.0, state: 'fulfilled' },
        segments: [
          { state: 'running', start: 0.3, end: 0.35 },
          {
            state: 'suspended',
            start: 0.35,
            end: 2000.9,
            site: { file: F, line: 14, column: 3 },
            kind: 'await',
            awaits: [],
            resumedBy: null,
          },
          { state: 'running', start: 2000.9, end: 2001.0 },
        ],
      },
    ],
    callbacks: [{ t: 2003.2, kind: 'then', taskId: 1, site: { file: F, line: 29, column: 8 } }],
    output: [],
  };
}

/** A loop that awaits twice at one line, plus a task that blocks the loop for 120 ms. */
export function blockingTrace(): Trace {
  const f = 'src/app.ts';
  return {
    format: 'async-timeline-trace',
    version: 1,
    language: 'typescript',
    entry: f,
    cwd: '/ws',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 500,
    exit: { code: 0, signal: null, reason: 'exited' },
    truncated: false,
    eventCount: 20,
    tasks: [
      {
        id: 1,
        name: 'poller',
        kind: 'function',
        parentId: null,
        definition: { file: f, line: 1, column: 1 },
        created: { t: 0, site: { file: f, line: 20, column: 1 } },
        settled: null,
        segments: [
          { state: 'running', start: 0, end: 1 },
          {
            state: 'suspended',
            start: 1,
            end: 101,
            site: { file: f, line: 3, column: 5 },
            kind: 'await',
            awaits: [],
          },
          { state: 'running', start: 101, end: 102 },
          {
            state: 'suspended',
            start: 102,
            end: 291,
            site: { file: f, line: 3, column: 5 },
            kind: 'await',
            awaits: [],
          },
          { state: 'running', start: 291, end: 292 },
          {
            state: 'suspended',
            start: 292,
            end: null,
            site: { file: f, line: 3, column: 5 },
            kind: 'await',
            awaits: [],
          },
        ],
      },
      {
        id: 2,
        name: 'crunch',
        kind: 'arrow',
        parentId: null,
        definition: { file: f, line: 10, column: 15 },
        created: { t: 150, site: { file: f, line: 21, column: 1 } },
        settled: { t: 290, state: 'rejected' },
        segments: [
          { state: 'running', start: 150, end: 151 },
          {
            state: 'suspended',
            start: 151,
            end: 160,
            site: { file: f, line: 11, column: 3 },
            kind: 'await',
            awaits: [],
            threw: true,
          },
          { state: 'running', start: 160, end: 290 },
        ],
      },
    ],
    callbacks: [],
    output: [],
  };
}
