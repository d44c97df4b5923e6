/**
 * Hand-written traces shaped like real runs of the examples, for tests of the pure renderers
 * (text timeline, Chrome export) that must not depend on the runner.
 */
import type { Trace } from '../../../src/protocol/trace';

const F = 'examples/workers.ts';
const site = (line: number, column: number, file = F) => ({ file, line, column });

/** examples/workers.ts: main creates worker1 and worker2, awaits task1 (~1 s) then task2 (~2 s). */
export function workerTrace(): Trace {
  return {
    format: 'async-timeline-trace',
    version: 1,
    language: 'typescript',
    entry: F,
    cwd: '/tmp/project',
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
        definition: site(18, 1),
        created: { t: 0.1, site: site(29, 1) },
        settled: { t: 2002.9, state: 'fulfilled' },
        segments: [
          { state: 'running', start: 0.1, end: 0.6 },
          {
            state: 'suspended',
            start: 0.6,
            end: 1001.2,
            site: site(22, 3),
            kind: 'await',
            awaits: [2],
            resumedBy: 2,
          },
          { state: 'running', start: 1001.2, end: 1001.4 },
          {
            state: 'suspended',
            start: 1001.4,
            end: 2002.8,
            site: site(24, 3),
            kind: 'await',
            awaits: [3],
            resumedBy: 3,
          },
          { state: 'running', start: 2002.8, end: 2002.9 },
        ],
      },
      {
        id: 2,
        name: 'worker1',
        kind: 'function',
        parentId: 1,
        definition: site(6, 1),
        created: { t: 0.2, site: site(19, 17) },
        settled: { t: 1001.1, state: 'fulfilled' },
        segments: [
          { state: 'running', start: 0.2, end: 0.3 },
          { state: 'suspended', start: 0.3, end: 1001.0, site: site(8, 3), kind: 'await', awaits: [] },
          { state: 'running', start: 1001.0, end: 1001.1 },
        ],
      },
      {
        id: 3,
        name: 'worker2',
        kind: 'function',
        parentId: 1,
        definition: site(12, 1),
        created: { t: 0.35, site: site(20, 17) },
        settled: { t: 2002.7, state: 'fulfilled' },
        segments: [
          { state: 'running', start: 0.35, end: 0.45 },
          { state: 'suspended', start: 0.45, end: 2002.6, site: site(14, 3), kind: 'await', awaits: [] },
          { state: 'running', start: 2002.6, end: 2002.7 },
        ],
      },
    ],
    callbacks: [{ t: 2003.0, kind: 'then', taskId: 1, site: site(29, 8) }],
    output: [{ t: 0.25, stream: 'stdout', text: 'worker_1 start\n' }],
  };
}

/**
 * A messier trace: a rejected task, a generator yield, a task still pending at a timeout
 * (open-ended segments), an unknown parent, and a zero-length running segment.
 */
export function edgeCaseTrace(): Trace {
  const G = 'examples/mixed.ts';
  const s = (line: number) => site(line, 3, G);
  return {
    format: 'async-timeline-trace',
    version: 1,
    language: 'typescript',
    entry: G,
    cwd: '/tmp/project',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 500,
    exit: { code: null, signal: 'SIGKILL', reason: 'timeout' },
    truncated: true,
    eventCount: 1000,
    tasks: [
      {
        id: 1,
        name: 'main',
        kind: 'function',
        parentId: null,
        definition: s(1),
        created: { t: 0, site: null },
        settled: null,
        segments: [
          { state: 'running', start: 0, end: 1 },
          {
            state: 'suspended',
            start: 1,
            end: 100,
            site: s(5),
            kind: 'await',
            awaits: [2],
            resumedBy: 2,
            threw: true,
          },
          { state: 'running', start: 100, end: 100 },
          {
            state: 'suspended',
            start: 100,
            end: null,
            site: site(7, 5, 'examples/lib.ts'),
            kind: 'await',
            awaits: [3, 4],
            combinator: 'all',
          },
        ],
      },
      {
        id: 2,
        name: 'flaky',
        kind: 'arrow',
        parentId: 1,
        definition: s(10),
        created: { t: 0.5, site: s(5) },
        settled: { t: 100, state: 'rejected' },
        segments: [
          { state: 'running', start: 0.5, end: 0.7 },
          { state: 'suspended', start: 0.7, end: 99.9, site: s(11), kind: 'await', awaits: [] },
          { state: 'running', start: 99.9, end: 100 },
        ],
      },
      {
        id: 3,
        name: 'ticks',
        kind: 'generator',
        parentId: 1,
        definition: s(20),
        created: { t: 100, site: s(6) },
        settled: null,
        segments: [
          { state: 'running', start: 100, end: 100.1 },
          { state: 'suspended', start: 100.1, end: 200, site: s(21), kind: 'await', awaits: [] },
          { state: 'running', start: 200, end: 200.1 },
          { state: 'suspended', start: 200.1, end: 300, site: s(22), kind: 'yield', awaits: [] },
          { state: 'running', start: 300, end: null },
        ],
      },
      {
        id: 4,
        name: '<anonymous examples/mixed.ts:30>',
        kind: 'arrow',
        parentId: 99,
        definition: s(30),
        created: { t: 150, site: null },
        settled: null,
        segments: [{ state: 'running', start: 150, end: null }],
      },
    ],
    callbacks: [
      { t: 100.5, kind: 'catch', taskId: 2, site: s(40) },
      { t: 101, kind: 'finally', taskId: 2, site: null },
    ],
    output: [],
  };
}
