/**
 * Folding repetition: a block of 1–4 steps that repeats back to back (same signatures) becomes one
 * `repeat` step whose `members` keep every original step. `crawlPage ×4 each start … and park at
 * L9`; a server's "idle → handler resumes → callback" cycle ×40. Greedy left to right, trying each
 * block length and keeping the one that covers the most steps: O(n) for a fixed longest block.
 */
import type { Step } from '../../protocol/trace';

const LONGEST_BLOCK = 4;

/** How many times the block of `k` items at `i` (of `n`) repeats back to back. */
function repeats(n: number, same: (a: number, b: number) => boolean, i: number, k: number): number {
  let r = 1;
  for (;;) {
    const at = i + r * k;
    if (at + k > n) return r;
    for (let j = 0; j < k; j++) if (!same(at + j, i + j)) return r;
    r++;
  }
}

/**
 * The folding of items `0 … n-1` by index (`same(a, b)`: items a and b read alike): a step left
 * alone is `single(i)`, a run of `times` blocks of `k` items from `i` is `repeat(i, k, times)`.
 * Items need not be objects (narration's raw steps are columns).
 */
export function foldIndexed(
  n: number,
  same: (a: number, b: number) => boolean,
  single: (i: number) => Step,
  repeat: (i: number, k: number, times: number) => Step,
): Step[] {
  const out: Step[] = [];
  let i = 0;
  while (i < n) {
    let bestK = 1;
    let bestR = 1;
    let alike = 0;
    for (let k = 1; k <= LONGEST_BLOCK && i + 2 * k <= n; k++) {
      // A block of k steps that all read alike cannot cover more than the run of that one step
      // does (k = 1), so it is not tried: a run of a thousand alike steps costs a thousand
      // comparisons, not four thousand.
      if (k > 1 && alike >= k) continue;
      const r = repeats(n, same, i, k);
      if (k === 1) alike = r;
      // One step twice is already worth a line less; a longer block must come back at least thrice.
      if ((k === 1 ? r >= 2 : r >= 3) && r * k > bestR * bestK) {
        bestK = k;
        bestR = r;
      }
    }
    if (bestR === 1) {
      out.push(single(i++));
      continue;
    }
    out.push(repeat(i, bestK, bestR));
    i += bestK * bestR;
  }
  return out;
}

/**
 * A `repeat` step whose `members` are made by `members()` when first read: a folded step of a
 * million-event run holds half a million members, and most are never read. `members` is an own
 * enumerable property (a getter that then becomes a plain value), so `JSON.stringify`, structured
 * clone and spreading all see the members, sentences written.
 */
export function repeatStep(fields: Omit<Step, 'members'>, members: () => Step[]): Step {
  const step: Step = { ...fields };
  Object.defineProperty(step, 'members', {
    enumerable: true,
    configurable: true,
    get(): Step[] {
      const value = members();
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
  return step;
}

/**
 * Folds `items` (raw steps in time order; `same` says when two read alike). A step left alone
 * becomes `single(item)`; a folded run becomes a `repeat` step whose sentence `word(members, k,
 * times)` writes (the block is the first `k`) and whose `members` are `single` of each item,
 * made when first read (`repeatStep`).
 */
export function foldSteps<T extends Step>(
  items: T[],
  same: (a: T, b: T) => boolean,
  single: (item: T) => Step,
  word: (members: T[], k: number, times: number) => string,
): Step[] {
  return foldIndexed(
    items.length,
    (a, b) => same(items[a], items[b]),
    (i) => single(items[i]),
    (i, k, times) => {
      const n = k * times;
      const members = items.slice(i, i + n);
      const ids = new Set<number>();
      const output: string[] = [];
      for (const m of members) {
        for (const id of m.taskIds) ids.add(id);
        for (const line of m.output) output.push(line);
      }
      return repeatStep(
        {
          kind: 'repeat',
          t: members[0].t,
          end: members[n - 1].end,
          taskIds: [...ids],
          ...(members[0].group !== undefined ? { group: members[0].group } : {}),
          site: members[0].site,
          output,
          text: word(members, k, times),
        },
        () => members.map(single),
      );
    },
  );
}
