import assert from 'node:assert/strict';
import util from 'node:util';
import { TaskTags } from '../../src/runtime/tracer';

describe('runtime/tracer: task tags on promises', () => {
  it('remembers which task a promise belongs to; the first (innermost) tag wins', () => {
    const p = Promise.resolve(1);
    assert.equal(TaskTags.get(p), undefined);
    TaskTags.set(p, 7);
    TaskTags.set(p, 9);
    assert.equal(TaskTags.get(p), 7);
    for (const v of [undefined, null, 3, 'x', Symbol('s'), () => {}]) assert.equal(TaskTags.get(v), undefined);
  });

  it('leaves nothing the program can see on the promise', () => {
    const tagged = Promise.resolve(1);
    const plain = Promise.resolve(1);
    TaskTags.set(tagged, 3);
    assert.deepEqual(Reflect.ownKeys(tagged), []);
    assert.deepEqual(Object.getOwnPropertySymbols(tagged), []);
    assert.equal(util.inspect(tagged, { showHidden: true }), util.inspect(plain, { showHidden: true }));
    assert.equal(Object.isExtensible(tagged), true);
    assert.equal(Object.getPrototypeOf(tagged), Promise.prototype);
  });

  it('tags frozen (non-extensible) promises too, without making them writable', () => {
    const frozen = Object.freeze(Promise.resolve(2));
    TaskTags.set(frozen, 11);
    TaskTags.set(frozen, 12);
    assert.equal(TaskTags.get(frozen), 11);
    assert.equal(Object.isFrozen(frozen), true);
  });
});

describe('TaskTags: own promises and promises that stand for a task', () => {
  it('a derived promise stands for its task without being its own promise', () => {
    const own = Promise.resolve();
    const derived = Promise.resolve();
    TaskTags.set(own, 4);
    TaskTags.setDerived(derived, 4);
    assert.equal(TaskTags.get(own), 4);
    assert.equal(TaskTags.get(derived), 4);
    assert.equal(TaskTags.own(own), 4);
    assert.equal(TaskTags.own(derived), undefined);
    TaskTags.set(derived, 9); // the first tag wins
    assert.equal(TaskTags.own(derived), undefined);
  });
});
