/**
 * Merging lists that are each already in order (a task's segments, a group's steps) into one: a
 * binary heap over the lists' heads, O(n log k) for n items in k lists, where sorting the
 * concatenation would be O(n log n) with a comparator call per step. Ties keep the lists' order
 * (the item of the earlier list first, then each list's own order), as a stable sort of the
 * concatenation would.
 */

/**
 * One array holding every item of `lists` in the order `compare` gives (negative: `a` first).
 * Each list must already be in that order.
 */
export function mergeSorted<T>(lists: readonly (readonly T[])[], compare: (a: T, b: T) => number): T[] {
  const live: (readonly T[])[] = [];
  let total = 0;
  for (const l of lists)
    if (l.length) {
      live.push(l);
      total += l.length;
    }
  if (live.length === 0) return [];
  if (live.length === 1) return live[0].slice();
  const out: T[] = new Array<T>(total);
  const pos = new Int32Array(live.length);
  // heap[] holds list indices; the head of list h is live[h][pos[h]].
  const heap: number[] = [];
  const before = (x: number, y: number): boolean => {
    const c = compare(live[x][pos[x]], live[y][pos[y]]);
    return c < 0 || (c === 0 && x < y);
  };
  const down = (from: number): void => {
    let i = from;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[m], heap[i])) return;
      const tmp = heap[i];
      heap[i] = heap[m];
      heap[m] = tmp;
      i = m;
    }
  };
  for (let h = 0; h < live.length; h++) heap.push(h);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  let o = 0;
  while (heap.length) {
    const h = heap[0];
    out[o++] = live[h][pos[h]++];
    if (pos[h] === live[h].length) {
      const last = heap.pop()!;
      if (!heap.length) break;
      heap[0] = last;
    }
    down(0);
  }
  return out;
}
