/**
 * What every part of the narration needs to know about the trace: tasks by id, how to name a task
 * and a site, and the language's words for the few things that differ.
 */
import type { SourceSite, TaskRecord, Trace } from '../../protocol/trace';
import { siteLabel } from '../textTimeline';

export interface NarrationContext {
  trace: Trace;
  tasks: Map<number, TaskRecord>;
  /** `worker1`, or `crawlPage #3` when several tasks share the name. */
  name(id: number): string;
  /** `L22` in the entry file, `lib.ts:6` elsewhere. */
  where(site: SourceSite | null): string;
  python: boolean;
  /** The label of a group when the trace has several (`worker 2 (pool.ts)`), else null. */
  groupLabel(group: number): string | null;
}

export function narrationContext(trace: Trace): NarrationContext {
  const tasks = new Map(trace.tasks.map((t) => [t.id, t]));
  const count = new Map<string, number>();
  for (const t of trace.tasks) count.set(t.name, (count.get(t.name) ?? 0) + 1);
  const groups = new Map((trace.groups ?? []).map((g) => [g.id, g.label]));
  const names = new Map<number, string>();
  return {
    trace,
    tasks,
    name(id) {
      // Written once per task: a folded step names a thousand tasks, and there are many such steps.
      let name = names.get(id);
      if (name === undefined) {
        const t = tasks.get(id);
        name = !t ? `#${id}` : count.get(t.name)! > 1 ? `${t.name} #${id}` : t.name;
        names.set(id, name);
      }
      return name;
    },
    where: (site) => (site ? siteLabel(site, trace.entry) : 'an unknown line'),
    python: trace.language === 'python',
    groupLabel: (group) => (groups.size > 1 ? (groups.get(group) ?? `group ${group}`) : null),
  };
}
