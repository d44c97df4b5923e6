import assert from 'node:assert/strict';
import { narrate } from '../../src/core/narration';
import { foldSteps } from '../../src/core/narration/fold';
import type { Step } from '../../src/protocol/trace';
import { mergeSorted } from '../../src/core/mergeSorted';
import { orderByKey } from '../../src/core/sortByTime';
import { loadTrace } from './timelineFixtures';

describe('core/narration: lazy members, and the orderings it is built on', () => {
  it('a folded step writes its members (with their sentences) into JSON and structured clones, as the eager ones did', () => {
    const folded = narrate(loadTrace('crawl'));
    const eager = narrate(loadTrace('crawl'), { fold: false });
    const repeat = folded.find((s) => s.kind === 'repeat')!;
    const json = JSON.parse(JSON.stringify(repeat)) as typeof repeat;
    assert.ok(json.members && json.members.length > 1);
    const first = eager.findIndex(
      (s) => s.t === json.members![0].t && s.taskIds[0] === json.members![0].taskIds[0],
    );
    assert.ok(first >= 0);
    json.members!.forEach((m, i) => assert.deepEqual(m, JSON.parse(JSON.stringify(eager[first + i]))));
    const clone = structuredClone(repeat);
    assert.equal(clone.members![0].text, eager[first].text);
    assert.deepEqual({ ...repeat }.members, repeat.members, 'spreading sees the members too');
  });

  it('orderByKey: ascending, stable on ties, negatives and -0 in place', () => {
    const keys = new Float64Array([3, -1, 0, 2.5, -0, 3, -7.25, 1e300, 0.5]);
    const order = Array.from(orderByKey(keys));
    assert.deepEqual(order, [6, 1, 2, 4, 8, 3, 0, 5, 7]);
    const random = new Float64Array(5000).map((_, i) => Math.round(Math.sin(i) * 1000) / 8);
    const got = Array.from(orderByKey(random));
    const want = Array.from(random.keys()).sort((a, b) => random[a] - random[b] || a - b);
    assert.deepEqual(got, want);
  });

  it('mergeSorted: merges in order, the earlier list first on ties', () => {
    const a = [
      { t: 1, l: 'a' },
      { t: 3, l: 'a' },
      { t: 3, l: 'a2' },
    ];
    const b = [
      { t: 0, l: 'b' },
      { t: 3, l: 'b' },
      { t: 9, l: 'b' },
    ];
    assert.deepEqual(
      mergeSorted([a, [], b], (x, y) => x.t - y.t).map((x) => `${x.t}${x.l}`),
      ['0b', '1a', '3a', '3a2', '3b', '9b'],
    );
  });

  it('foldSteps: a block with a repeated step in it (A A B ×3) still folds as a block', () => {
    const step = (text: string, t: number): Step => ({
      kind: 'resume',
      t,
      end: t,
      taskIds: [1],
      site: null,
      output: [],
      text,
    });
    const items = 'AABAABAABC'.split('').map((c, i) => step(c, i));
    const out = foldSteps(
      items,
      (a, b) => a.text === b.text,
      (s) => s,
      (_members, k, times) => `${times}×${k}`,
    );
    assert.deepEqual(
      out.map((s) => s.text),
      ['3×3', 'C'],
    );
    assert.equal(out[0].members!.length, 9);
    const run = foldSteps(
      'AAAAB'.split('').map((c, i) => step(c, i)),
      (a, b) => a.text === b.text,
      (s) => s,
      (_m, k, r) => `${r}×${k}`,
    );
    assert.deepEqual(
      run.map((s) => s.text),
      ['4×1', 'B'],
    );
  });
});
