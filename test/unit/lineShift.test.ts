import assert from 'node:assert/strict';
import { shiftLine, shiftLineThrough, type LineEdit } from '../../src/core/lineShift';

const edit = (
  startLine: number,
  startCharacter: number,
  endLine: number,
  endCharacter: number,
  text: string,
  insertedAtLineEnd = false,
): LineEdit => ({
  startLine,
  startCharacter,
  endLine,
  endCharacter,
  text,
  insertedAtLineEnd,
});

describe('core/lineShift', () => {
  it('leaves lines above an edit alone and shifts lines below it', () => {
    assert.deepEqual(shiftLine(3, edit(5, 0, 5, 0, 'a\nb\n')), { line: 3, stale: false, removed: false });
    assert.deepEqual(shiftLine(9, edit(5, 0, 5, 0, 'a\nb\n')), { line: 11, stale: false, removed: false });
    assert.deepEqual(shiftLine(9, edit(5, 0, 7, 0, '')), { line: 7, stale: false, removed: false });
  });

  it('moves a line down when whole lines are inserted in front of it', () => {
    assert.deepEqual(shiftLine(5, edit(5, 0, 5, 0, '// note\n')), { line: 6, stale: false, removed: false });
  });

  it('keeps a line when Enter is pressed at its end', () => {
    assert.deepEqual(shiftLine(5, edit(5, 12, 5, 12, '\n  ', true)), {
      line: 5,
      stale: false,
      removed: false,
    });
    assert.deepEqual(shiftLine(6, edit(5, 12, 5, 12, '\n  ', true)), {
      line: 7,
      stale: false,
      removed: false,
    });
  });

  it('marks a line stale when its own text changes', () => {
    assert.deepEqual(shiftLine(5, edit(5, 4, 5, 4, 'x')), { line: 5, stale: true, removed: false });
    assert.deepEqual(shiftLine(5, edit(5, 2, 5, 9, '')), { line: 5, stale: true, removed: false });
  });

  it('reports deleted lines as removed', () => {
    assert.deepEqual(shiftLine(6, edit(5, 0, 8, 0, '')), { line: 5, stale: true, removed: true });
    assert.deepEqual(shiftLine(8, edit(5, 0, 8, 0, '')), { line: 5, stale: false, removed: false });
  });

  it('applies several edits of one event bottom-up', () => {
    const r = shiftLineThrough(10, [
      edit(2, 0, 2, 0, 'x\n'),
      edit(20, 0, 20, 0, 'y\n'),
      edit(4, 0, 6, 0, ''),
    ]);
    assert.deepEqual(r, { line: 9, stale: false, removed: false });
  });
});
