import type { TableRow } from '../src/core/timeline/accessibleTable';
import { h, setChildren } from './dom';

/**
 * The accessible alternative to the canvas: a real <table> with the same facts, one row per
 * visible lane (so filter and collapse apply), each task name a button that selects the lane.
 */
export function renderTable(
  el: HTMLElement,
  columns: readonly string[],
  rows: TableRow[],
  total: number,
  selectedTaskId: number | null,
  onSelect: (id: number) => void,
  /** A line added to the caption (the critical path, when it is highlighted). */
  note?: string,
): void {
  const caption =
    (rows.length < total
      ? `Tasks: showing ${rows.length} of ${total} (use the filter to narrow)`
      : `Tasks (${total}) in lane order`) + (note ? `. ${note}` : '');
  const head = h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)));
  const body = h('tbody', {});
  for (const r of rows) {
    const btn = h('button', { class: 'link', type: 'button', 'data-task-id': String(r.taskId) }, r.cells[0]);
    btn.addEventListener('click', () => onSelect(r.taskId));
    const first = h('th', { scope: 'row' }, btn);
    // Indentation mirrors the lane tree; set through CSSOM (CSP forbids style attributes).
    first.style.paddingLeft = `${8 + r.depth * 14}px`;
    const tr = h(
      'tr',
      { 'data-task-id': String(r.taskId), 'aria-selected': r.taskId === selectedTaskId ? 'true' : 'false' },
      first,
    );
    if (r.taskId === selectedTaskId) tr.classList.add('selected');
    r.cells.slice(1).forEach((c, i) => {
      const td = h('td', {}, c);
      if (i === 2 && c.startsWith('rejected')) td.classList.add('outcome-rejected');
      tr.append(td);
    });
    body.append(tr);
  }
  setChildren(el, h('table', { class: 'tasks' }, h('caption', {}, caption), h('thead', {}, head), body));
}
