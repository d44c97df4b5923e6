/**
 * The handle between the label column and the plot: drag it, double-click it to reset, or use the
 * arrow keys (core/timeline/labelColumn.ts says which widths are allowed). It only reports the
 * width asked for; the app applies it.
 */
import {
  clampLabelWidth,
  LABEL_DEFAULT_PX,
  labelBounds,
  labelWidthAfterDrag,
  labelWidthAfterKey,
} from '../src/core/timeline/labelColumn';
import { h } from './dom';

/** The column's current width and the panel's (CSS px). */
export interface ColumnGeometry {
  gutter: number;
  width: number;
}

export class LabelSplitter {
  /** Drawn on the canvas; this element is its hit area and its keyboard focus. */
  readonly el: HTMLElement = h('div', {
    class: 'label-splitter',
    role: 'separator',
    tabindex: '0',
    'aria-orientation': 'vertical',
    'aria-label': 'Task label column width',
    title: 'Drag to resize the task labels (← → with the keyboard, Enter resets)',
    hidden: true,
  });

  constructor(
    geometry: () => ColumnGeometry,
    setWidth: (width: number) => void,
    announce: (text: string) => void,
  ) {
    const sp = this.el;
    let drag: { id: number; x0: number; w0: number } | null = null;
    sp.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      sp.focus();
      sp.setPointerCapture(e.pointerId);
      drag = { id: e.pointerId, x0: e.clientX, w0: geometry().gutter };
      sp.classList.add('dragging');
    });
    sp.addEventListener('pointermove', (e) => {
      if (!drag || drag.id !== e.pointerId) return;
      setWidth(labelWidthAfterDrag(drag.w0, e.clientX - drag.x0, geometry().width));
    });
    const end = (e: PointerEvent) => {
      if (!drag || drag.id !== e.pointerId) return;
      drag = null;
      sp.classList.remove('dragging');
    };
    sp.addEventListener('pointerup', end);
    sp.addEventListener('pointercancel', end);
    sp.addEventListener('dblclick', () => setWidth(clampLabelWidth(LABEL_DEFAULT_PX, geometry().width)));
    sp.addEventListener('keydown', (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const g = geometry();
      const w = labelWidthAfterKey(g.gutter, e.key, e.shiftKey, g.width);
      if (w === null) return;
      e.preventDefault();
      setWidth(w);
      announce(`Labels ${w} pixels wide`);
    });
  }

  /** Puts the splitter on the column edge and tells assistive tech where it is (CSSOM: CSP-safe). */
  place({ gutter, width }: ColumnGeometry): void {
    const { min, max } = labelBounds(width);
    this.el.style.left = `${gutter - 4}px`;
    this.el.setAttribute('aria-valuemin', String(min));
    this.el.setAttribute('aria-valuemax', String(max));
    this.el.setAttribute('aria-valuenow', String(gutter));
    this.el.setAttribute('aria-valuetext', `${gutter} pixels`);
  }
}
