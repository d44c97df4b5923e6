/**
 * The marks layer on a lane: how the task ended (settle) and the callbacks on its promise.
 */
import { settleMark } from '../../src/core/timeline/marks';
import { timeToX } from '../../src/core/timeline/viewport';
import type { TaskRecord } from '../../src/protocol/trace';
import { BAR_H, type Frame } from './frame';
import type { PaintContext } from './paintContext';
import { cancelled, cross, diamond, doneMark } from './shapes';

/** Settle: a check for fulfilled, a cross for rejected, a slashed circle for cancelled (Python); nothing while pending. */
export function drawSettle(p: PaintContext, f: Frame, task: TaskRecord, by: number): void {
  const { ctx } = p;
  const { vp, theme } = f;
  const xMin = vp.gutter - 2;
  const xMax = vp.width + 2;
  const settle = settleMark(task);
  if (task.settled) {
    const x = timeToX(vp, task.settled.t);
    if (x >= xMin && x <= xMax) {
      if (settle === 'rejected') cross(p, x + 5, by + BAR_H / 2, theme.rejected);
      else if (settle === 'cancelled') cancelled(p, x + 6, by + BAR_H / 2, theme.blocking);
      else {
        ctx.fillStyle = theme.fulfilled;
        ctx.fillRect(x, by - 2, 2, BAR_H + 4);
      }
    }
  }
}

/** Callbacks (.then/.catch/.finally) hang on the task's promise: diamonds on its lane; done callbacks a ringed dot. */
export function drawCallbacks(p: PaintContext, f: Frame, taskId: number, by: number): void {
  const { vp, theme, index } = f;
  const xMin = vp.gutter - 2;
  const xMax = vp.width + 2;
  const cbs = index!.callbacksByTask.get(taskId);
  if (cbs) {
    let lastX = -Infinity;
    for (const c of cbs) {
      const x = timeToX(vp, c.t);
      if (x < xMin || x > xMax || x - lastX < 3) continue;
      lastX = x;
      if (c.kind === 'done') doneMark(p, x, by + BAR_H / 2, theme.callback, theme.bg);
      else diamond(p, x, by + BAR_H / 2, 5, c.kind === 'catch' ? theme.rejected : theme.callback, theme.bg);
    }
  }
}
