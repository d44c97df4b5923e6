/**
 * The hover tooltip: renders a tooltip's facts (core/timeline/hoverFacts.ts) as text and places it
 * next to the pointer, flipped to stay inside the timeline (CSSOM styles: CSP-safe).
 */
import type { HoverFacts } from '../src/core/timeline/hoverFacts';
import { formatSite } from '../src/core/timeline/taskDetails';
import { h, setChildren } from './dom';

export class Tooltip {
  readonly el: HTMLElement = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });

  /** `canOpen`: a click opens the site in an editor (VS Code), else the site is only named. */
  constructor(private readonly canOpen: boolean) {}

  /** Shows the facts at the pointer (client coordinates), inside `container`. */
  show(facts: HoverFacts, clientX: number, clientY: number, container: HTMLElement): void {
    const dl = h('dl', {});
    for (const [k, v] of facts.rows) dl.append(h('dt', {}, k), h('dd', {}, v));
    setChildren(
      this.el,
      h('div', { class: 'tt-title' }, facts.title),
      dl,
      facts.site &&
        h(
          'div',
          { class: 'tt-hint' },
          this.canOpen ? `Click to open ${formatSite(facts.site)}` : formatSite(facts.site),
        ),
    );
    this.el.hidden = false;
    const wr = container.getBoundingClientRect();
    const tw = this.el.offsetWidth;
    const th = this.el.offsetHeight;
    let left = clientX - wr.left + 14;
    let top = clientY - wr.top + 16;
    if (left + tw > wr.width - 4) left = Math.max(4, clientX - wr.left - tw - 14);
    if (top + th > wr.height - 4) top = Math.max(4, clientY - wr.top - th - 12);
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
