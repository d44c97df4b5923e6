import type { Trace } from '../src/protocol/trace';
import { layoutLanes } from '../src/core/timeline/laneTree';
import { indexTrace } from '../src/core/timeline/traceIndex';
import { fitTime, type Viewport } from '../src/core/timeline/viewport';
import type { TimelineRenderer } from './renderer';
import type { Theme } from './theme';

/**
 * Draws a tiny made-up trace once and wipes it in the same task (never painted), so the JIT
 * and the canvas's first-use costs are paid before the host's first trace arrives.
 */
export function warmUpDraw(renderer: TimelineRenderer, theme: Theme, vp: Viewport): void {
  const site = { file: 'warm.ts', line: 1, column: 1 };
  const mk = (id: number, parentId: number | null): Trace['tasks'][number] => ({
    id,
    name: `warm${id}`,
    kind: 'function',
    parentId,
    definition: site,
    created: { t: id, site },
    settled: { t: 50, state: 'fulfilled' },
    segments: [
      { state: 'running', start: id, end: id + 1 },
      {
        state: 'suspended',
        start: id + 1,
        end: 40,
        site,
        kind: 'await',
        awaits: id === 1 ? [2] : [],
        resumedBy: id === 1 ? 2 : null,
      },
      { state: 'running', start: 40, end: 50 },
    ],
  });
  const trace: Trace = {
    format: 'async-timeline-trace',
    version: 1,
    language: 'typescript',
    entry: 'warm.ts',
    cwd: '/',
    startedAt: '',
    durationMs: 60,
    exit: null,
    truncated: false,
    eventCount: 0,
    tasks: [mk(1, null), mk(2, 1)],
    callbacks: [{ t: 55, kind: 'then', taskId: 1, site }],
    output: [{ t: 5, stream: 'stdout', text: 'x' }],
  };
  const index = indexTrace(trace);
  const layout = layoutLanes(index, { collapsed: new Set(), filter: '' });
  const base = {
    layout,
    theme: theme,
    selectedTaskId: 1,
    selectedSeg: null,
    hover: null,
    highlights: new Map(),
    showOutput: true,
    showArrows: true,
    live: false,
    outputTimes: new Float64Array([5]),
  };
  renderer.draw({ ...base, index, vp: fitTime(vp, 0, 60) });
  renderer.draw({ ...base, index: null, vp: vp });
  renderer.frameTimes.length = 0;
}
