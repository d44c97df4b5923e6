import type { SourceSite } from '../src/protocol/trace';
import { formatDuration, formatTimestamp } from '../src/core/duration';
import { errorLine, formatSite, type TaskDetails } from '../src/core/timeline/taskDetails';
import { h, setChildren } from './dom';
import { combinatorLabel, waitTargetLabel } from '../src/core/waitLabels';

/** What the details pane can ask the app to do. */
export interface DetailsActions {
  openSite(site: SourceSite): void;
  selectTask(taskId: number): void;
  zoomToSegment(taskId: number, segIndex: number): void;
}

/** Suspensions listed before "… and N more" (a task with 50,000 awaits must not build 50,000 nodes). */
const MAX_LISTED = 200;

/**
 * Renders the selected task's facts: creation site, parent, totals, and each suspension with its
 * duration, what it waited on and who woke it. Sites and tasks are buttons (keyboard reachable).
 */
export function renderDetails(el: HTMLElement, d: TaskDetails | null, actions: DetailsActions): void {
  el.classList.toggle('is-empty', !d);
  if (!d) {
    setChildren(
      el,
      h('h2', {}, 'Details'),
      h(
        'p',
        { class: 'placeholder' },
        'Select a lane or a segment to see the task: where it was created, who created it, how long it ran and where it waited.',
      ),
    );
    return;
  }
  const site = (s: SourceSite | null) =>
    s
      ? h('button', { class: 'link mono', type: 'button', title: 'Open in editor' }, formatSite(s))
      : h('span', {}, '—');
  const siteBtn = (s: SourceSite | null) => {
    const b = site(s);
    if (s) b.addEventListener('click', () => actions.openSite(s));
    return b;
  };
  const taskBtn = (t: { id: number; name: string }) => {
    const b = h(
      'button',
      { class: 'link', type: 'button', title: 'Select this task' },
      `${t.name} (#${t.id})`,
    );
    b.addEventListener('click', () => actions.selectTask(t.id));
    return b;
  };
  const outcome =
    d.outcome === 'pending'
      ? h('span', { class: 'badge pending' }, 'pending at exit')
      : h('span', { class: `badge ${d.outcome}` }, `${d.outcome} at ${formatTimestamp(d.settledAt ?? 0)}`);
  // What a rejected task raised, in full (the traceback's last line; several lines stay readable).
  const error = d.outcome === 'rejected' ? errorLine(d.error) : undefined;
  const dl = h(
    'dl',
    {},
    h('dt', {}, 'Outcome'),
    h('dd', {}, outcome),
    d.group && h('dt', {}, 'Thread / process'),
    d.group && h('dd', {}, d.group),
    error && h('dt', {}, 'Raised'),
    error && h('dd', { class: 'mono error-text' }, d.error!.trim()),
    d.taskName && h('dt', {}, 'asyncio name'),
    d.taskName && h('dd', { class: 'mono' }, d.taskName),
    h('dt', {}, 'Created'),
    h('dd', {}, `${formatTimestamp(d.createdAt)} at `, siteBtn(d.createdSite)),
    h('dt', {}, 'Defined'),
    h('dd', {}, siteBtn(d.definition)),
    h('dt', {}, 'Created by'),
    h('dd', {}, d.parent ? taskBtn(d.parent) : 'top-level code'),
    h('dt', {}, 'Lifetime'),
    h('dd', {}, formatDuration(d.lifetime)),
    h('dt', {}, 'Running'),
    h('dd', {}, `${formatDuration(d.running)} (${pct(d.running, d.lifetime)})`),
    h('dt', {}, 'Suspended'),
    h('dd', {}, `${formatDuration(d.suspended)} (${pct(d.suspended, d.lifetime)})`),
    h('dt', {}, 'Children'),
    h('dd', {}, String(d.children)),
    d.callbacks > 0 && h('dt', {}, 'Callbacks'),
    d.callbacks > 0 && h('dd', {}, String(d.callbacks)),
  );
  const items = d.suspensions.slice(0, MAX_LISTED).map((s) => {
    const zoom = h(
      'button',
      { class: 'link', type: 'button', title: 'Zoom to this suspension' },
      s.duration === null ? 'never resumed' : formatDuration(s.duration),
    );
    zoom.addEventListener('click', () => actions.zoomToSegment(d.id, s.segIndex));
    const waited: Array<Node | string> = [];
    if (s.awaits.length) {
      waited.push(s.combinator ? ` on ${combinatorLabel(s.combinator)}(` : ' on ');
      s.awaits.slice(0, 6).forEach((a, i) => {
        if (i) waited.push(', ');
        waited.push(taskBtn(a));
      });
      if (s.awaits.length > 6) waited.push(`, … ${s.awaits.length - 6} more`);
      if (s.combinator) waited.push(')');
    } else if (s.waitsFor) {
      waited.push(` on ${waitTargetLabel(s.waitsFor)}`);
    }
    return h(
      'li',
      {},
      s.kind === 'scheduled' ? 'scheduled (waiting for the event loop) after ' : `${s.kind} at `,
      siteBtn(s.site),
      ' — ',
      zoom,
      ...waited,
      s.resumedBy ? h('span', {}, ', woken by ', taskBtn(s.resumedBy)) : null,
      s.threw ? h('span', { class: 'badge rejected' }, 'threw') : null,
    );
  });
  setChildren(
    el,
    h('h2', {}, `${d.name} `, h('span', { class: 'placeholder' }, `#${d.id} · ${d.kind}`)),
    dl,
    h('h3', {}, `Suspensions (${d.suspensions.length})`),
    d.suspensions.length
      ? h('ol', {}, ...items)
      : h('p', { class: 'placeholder' }, 'Never suspended: ran to completion in one go.'),
    d.suspensions.length > MAX_LISTED &&
      h('p', { class: 'placeholder' }, `… and ${d.suspensions.length - MAX_LISTED} more`),
  );
}

function pct(part: number, whole: number): string {
  if (!(whole > 0)) return '—';
  const p = (part / whole) * 100;
  return p > 0 && p < 1 ? '<1%' : p < 100 && p > 99 ? '>99%' : `${Math.round(p)}%`;
}
