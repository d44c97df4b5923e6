import assert from 'node:assert/strict';
import { isPristinePromise, Thenable, thenableKind } from '../../src/runtime/promiseLinks';

describe('runtime/promiseLinks: thenables found without running program code', () => {
  it('tells plain values, data-property thenables and promises apart', () => {
    for (const v of [undefined, null, 1, 'x', Symbol('s'), {}, [], () => {}, { then: 1 }])
      assert.equal(thenableKind(v), Thenable.No);
    assert.equal(thenableKind(Promise.resolve()), Thenable.Yes);
    assert.equal(thenableKind({ then() {} }), Thenable.Yes);
    assert.equal(thenableKind(Object.create({ then() {} })), Thenable.Yes);
    class Sub extends Promise<void> {}
    assert.equal(thenableKind(new Sub(() => {})), Thenable.Yes);
  });

  it('never runs a getter or a proxy trap: such values are "unknown"', () => {
    let reads = 0;
    const getter = {
      get then() {
        reads++;
        return () => {};
      },
    };
    let traps = 0;
    const proxy = new Proxy(
      {},
      { get: () => (traps++, undefined), getOwnPropertyDescriptor: () => (traps++, undefined) },
    );
    assert.equal(thenableKind(getter), Thenable.Unknown);
    assert.equal(thenableKind(proxy), Thenable.Unknown);
    assert.equal(thenableKind(Object.create(proxy)), Thenable.Unknown);
    assert.equal(reads, 0);
    assert.equal(traps, 0);
  });

  it('a pristine promise is the engine own: then, catch and finally on it only reach the engine', () => {
    const p = Promise.resolve();
    assert.equal(isPristinePromise(p, Promise.prototype.then, 0), true);
    assert.equal(isPristinePromise(p, Promise.prototype.catch, 1), true);
    assert.equal(isPristinePromise({ then() {} }, Promise.prototype.then, 0), false);
    const patched = Promise.resolve();
    Object.defineProperty(patched, 'then', { value: function () {} });
    assert.equal(isPristinePromise(patched, Promise.prototype.catch, 1), false);
    assert.equal(
      isPristinePromise(p, function then() {}, 0),
      false,
    );
  });
});
