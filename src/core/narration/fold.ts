/**
 * Folding repetition: a block of 1–4 steps that repeats back to back (same signatures) becomes one
 * `repeat` step whose `members` keep every original step. `crawlPage ×4 each start … and park at
 * L9`; a server's "idle → handler resumes → callback" cycle ×40. Greedy left to right, trying each
 * block length and keeping the one that covers the most steps: O(n) for a fixed longest block.
 */
import type { Step } from '../../protocol/trace';

const LONGEST_BLOCK = 4;

/** How many times the block of `k` items at `i` repeats back to back. */
function repeats<T>(items: T[], same: (a: T, b: T) => boolean, i: number, k: number): number {
  let r = 1;
  for (;;) {
    const at = i + r * k;
    if (at + k > items.length) return r;
    for (let j = 0; j < k; j++) if (!same(items[at + j], items[i + j])) return r;
    r++;
  }
}

/**
 * Folds `items` (raw steps in time order; `same` says when two read alike). A step left alone
 * becomes `single(item)`; a folded run becomes a `repeat` step whose sentence `word(members, k,
 * times)` writes (the block is the first `k`) and whose `members` are `single` of each item,
 * made when first read: a folded step of a million-event run holds half a million members, and
 * most are never read. `members` is an own enumerable property (a getter that then becomes a plain
 * value), so `JSON.stringify`, structured clone and spreading all see the members, sentences
 * written.
 */
export function foldSteps<T extends Step>(
  items: T[],
  same: (a: T, b: T) => boolean,
  single: (item: T) => Step,
  word: (members: T[], k: number, times: number) => string,
): Step[] {
  const out: Step[] = [];
  let i = 0;
  while (i < items.length) {
    let best = { k: 1, r: 1 };
    let alike = 0;
    for (let k = 1; k <= LONGEST_BLOCK && i + 2 * k <= items.length; k++) {
      // A block of k steps that all read alike cannot cover more than the run of that one step
      // does (k = 1), so it is not tried: a run of a thousand alike steps costs a thousand
      // comparisons, not four thousand.
      if (k > 1 && alike >= k) continue;
      const r = repeats(items, same, i, k);
      if (k === 1) alike = r;
      // One step twice is already worth a line less; a longer block must come back at least thrice.
      if ((k === 1 ? r >= 2 : r >= 3) && r * k > best.r * best.k) best = { k, r };
    }
    if (best.r === 1) {
      out.push(single(items[i++]));
      continue;
    }
    const n = best.k * best.r;
    const members = items.slice(i, i + n);
    const ids = new Set<number>();
    const output: string[] = [];
    for (const m of members) {
      for (const id of m.taskIds) ids.add(id);
      for (const line of m.output) output.push(line);
    }
    const step: Step = {
      kind: 'repeat',
      t: members[0].t,
      end: members[n - 1].end,
      taskIds: [...ids],
      ...(members[0].group !== undefined ? { group: members[0].group } : {}),
      site: members[0].site,
      output,
      text: word(members, best.k, best.r),
    };
    Object.defineProperty(step, 'members', {
      enumerable: true,
      configurable: true,
      get(): Step[] {
        const value = members.map(single);
        Object.defineProperty(step, 'members', {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
        return value;
      },
      set(value: Step[]) {
        Object.defineProperty(step, 'members', {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      },
    });
    out.push(step);
    i += n;
  }
  return out;
}
