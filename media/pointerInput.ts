/**
 * Pointer and wheel input on the canvas: drag to pan (and scroll lanes), pinch and wheel to zoom
 * around the pointer, Shift+wheel or wheel over the labels to scroll, hover, click, double-click.
 * It turns gestures into viewports and points; the app decides what a click or a hover means.
 */
import { panBy, type Viewport, zoomAt, zoomPan } from '../src/core/timeline/viewport';

/** What the gestures act on. */
export interface PointerTarget {
  viewport(): Viewport;
  /** A new viewport; `byUser` false for a vertical scroll only (no choice of view: see viewController). */
  moveView(vp: Viewport, byUser?: boolean): void;
  /** The pointer rests at (x, y) in canvas CSS px (client coordinates for placing the tooltip). */
  hover(x: number, y: number, clientX: number, clientY: number): void;
  leave(): void;
  click(x: number, y: number): void;
  doubleClick(x: number, y: number): void;
  hideTooltip(): void;
}

export function bindPointer(c: HTMLCanvasElement, target: PointerTarget): void {
  const pointers = new Map<number, { x: number; y: number }>();
  let drag: { x: number; y: number; moved: boolean; id: number } | null = null;
  let pinch: { dist: number; mid: number } | null = null;
  const local = (e: PointerEvent | WheelEvent | MouseEvent) => {
    const r = c.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  c.addEventListener('pointerdown', (e) => {
    c.focus();
    const p = local(e);
    pointers.set(e.pointerId, p);
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y), mid: (a.x + b.x) / 2 };
      // The first finger may have started a pan; the pinch takes over from here.
      if (drag?.moved) c.classList.remove('dragging');
      drag = null;
      target.hideTooltip();
      return;
    }
    if (e.button !== 0) return;
    c.setPointerCapture(e.pointerId);
    drag = { x: p.x, y: p.y, moved: false, id: e.pointerId };
  });
  c.addEventListener('pointermove', (e) => {
    const p = local(e);
    if (pointers.has(e.pointerId)) pointers.set(e.pointerId, p);
    if (pinch && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const mid = (a.x + b.x) / 2;
      // What was under the fingers stays under them: zoom by the spread, pan by the midpoint.
      if (pinch.dist > 0 && dist > 0)
        target.moveView(zoomPan(target.viewport(), dist / pinch.dist, pinch.mid, mid));
      pinch.dist = dist;
      pinch.mid = mid;
      return;
    }
    if (drag && drag.id === e.pointerId) {
      const dx = p.x - drag.x;
      const dy = p.y - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) c.classList.add('dragging');
      drag.moved = true;
      drag.x = p.x;
      drag.y = p.y;
      target.hideTooltip();
      target.moveView(panBy(target.viewport(), dx, dy));
      return;
    }
    target.hover(p.x, p.y, e.clientX, e.clientY);
  });
  const end = (e: PointerEvent) => {
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinch = null;
    if (!drag || drag.id !== e.pointerId) return;
    const wasDrag = drag.moved;
    drag = null;
    c.classList.remove('dragging');
    if (!wasDrag && e.type === 'pointerup') {
      const p = local(e);
      target.click(p.x, p.y);
    }
  };
  c.addEventListener('pointerup', end);
  c.addEventListener('pointercancel', end);
  c.addEventListener('pointerleave', () => {
    if (drag) return;
    target.leave();
  });
  c.addEventListener('dblclick', (e) => {
    const p = local(e);
    target.doubleClick(p.x, p.y);
  });
  c.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const p = local(e);
      const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? target.viewport().height : 1;
      const dx = e.deltaX * scale;
      const dy = e.deltaY * scale;
      target.hideTooltip();
      if (e.shiftKey || (p.x < target.viewport().gutter && !e.ctrlKey)) {
        // Over the labels (or with Shift): scroll the lanes.
        target.moveView({ ...target.viewport(), scrollTop: target.viewport().scrollTop + (dy || dx) }, false);
        return;
      }
      if (Math.abs(dx) > Math.abs(dy)) {
        target.moveView(panBy(target.viewport(), -dx, 0));
        return;
      }
      // Wheel (and trackpad pinch, which arrives as ctrl+wheel) zooms around the pointer.
      const factor = Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.002));
      target.moveView(zoomAt(target.viewport(), factor, Math.max(target.viewport().gutter, p.x)));
    },
    { passive: false },
  );
}
