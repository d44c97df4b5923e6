/**
 * Folding repetition: a block of 1–4 steps that repeats back to back (same signatures) becomes one
 * `repeat` step whose `members` keep every original step. `crawlPage ×4 each start … and park at
 * L9`; a server's "idle → handler resumes → callback" cycle ×40. Greedy left to right, trying each
 * block length and keeping the one that covers the most steps: O(n) for a fixed longest block.
 */
import type { Step } from '../../protocol/trace';

const LONGEST_BLOCK = 4;

/** How many times the block of `k` signatures at `i` repeats back to back. */
function repeats(sigs: string[], i: number, k: number): number {
  let r = 1;
  for (;;) {
    const at = i + r * k;
    if (at + k > sigs.length) return r;
    for (let j = 0; j < k; j++) if (sigs[at + j] !== sigs[i + j]) return r;
    r++;
  }
}

/**
 * Folds `steps` (with their signatures, index for index). `word(members, k, times)` writes the
 * folded step's sentence (the block is the first `k` members).
 */
export function foldSteps(
  steps: Step[],
  sigs: string[],
  word: (members: Step[], k: number, times: number) => string,
): Step[] {
  const out: Step[] = [];
  let i = 0;
  while (i < steps.length) {
    let best = { k: 1, r: 1 };
    for (let k = 1; k <= LONGEST_BLOCK && i + 2 * k <= steps.length; k++) {
      const r = repeats(sigs, i, k);
      // One step twice is already worth a line less; a longer block must come back at least thrice.
      if ((k === 1 ? r >= 2 : r >= 3) && r * k > best.r * best.k) best = { k, r };
    }
    if (best.r === 1) {
      out.push(steps[i++]);
      continue;
    }
    const n = best.k * best.r;
    const members = steps.slice(i, i + n);
    const ids = new Set<number>();
    for (const m of members) for (const id of m.taskIds) ids.add(id);
    out.push({
      kind: 'repeat',
      t: members[0].t,
      end: members[n - 1].end,
      taskIds: [...ids],
      ...(members[0].group !== undefined ? { group: members[0].group } : {}),
      site: members[0].site,
      output: members.flatMap((m) => m.output),
      text: word(members, best.k, best.r),
      members,
    });
    i += n;
  }
  return out;
}
