import assert from 'node:assert/strict';
import { RawSteps, type Words } from '../../src/core/narration/collect';

describe('narration: raw steps as columns', () => {
  it('grow past their first size by copying every column, keeping each its type and values', () => {
    const steps = new RawSteps({} as Words, 1);
    for (let i = 0; i < 20; i++) steps.push('start', i, i + 0.5, 2, [i], null, null, 7, 1, i + 0.25, null);
    assert.equal(steps.length, 20);
    assert.ok(steps.t.length >= 20);
    assert.ok(steps.t instanceof Float64Array && steps.group instanceof Int32Array);
    assert.ok(steps.kind instanceof Uint8Array && steps.flags instanceof Uint8Array);
    assert.deepEqual(Array.from(steps.t.subarray(0, 20)), [...Array(20).keys()]);
    assert.equal(steps.end[19], 19.5);
    assert.equal(steps.pieceEnd[17], 17.25);
    assert.equal(steps.seg[12], 7);
    assert.equal(steps.flags[3], 1);
    assert.deepEqual(steps.taskIds[11], [11]);
    assert.equal(steps.kindOf(19), 'start');
  });
});
