import assert from 'node:assert/strict';
import {
  clampLabelWidth,
  LABEL_BIG_STEP_PX,
  LABEL_DEFAULT_PX,
  LABEL_MIN_PX,
  LABEL_STEP_PX,
  labelBounds,
  labelWidthAfterDrag,
  labelWidthAfterKey,
} from '../../src/core/timeline/labelColumn';
import { parseViewState } from '../../src/core/timeline/viewState';

describe('timeline: label column geometry (the splitter)', () => {
  it('bounds leave the plot at least 160 px and 40 % of the canvas', () => {
    assert.deepEqual(labelBounds(1000), { min: LABEL_MIN_PX, max: 600 });
    assert.deepEqual(labelBounds(300), { min: LABEL_MIN_PX, max: 140 });
    // Tiny or nonsensical canvases still give a usable, ordered range.
    for (const w of [0, 50, -5, NaN, Infinity]) {
      const b = labelBounds(w);
      assert.ok(b.max >= b.min && b.min === LABEL_MIN_PX, `${w}: ${JSON.stringify(b)}`);
    }
    assert.equal(labelBounds(100_000).max, 2000, 'a huge canvas caps the column');
  });

  it('clamps the preferred width to the canvas, rounding to whole pixels', () => {
    assert.equal(clampLabelWidth(240, 1000), 240);
    assert.equal(clampLabelWidth(10, 1000), LABEL_MIN_PX);
    assert.equal(clampLabelWidth(900, 1000), 600);
    assert.equal(clampLabelWidth(240, 300), 140, 'a narrow panel shrinks the column');
    assert.equal(clampLabelWidth(240.6, 1000), 241);
    assert.equal(clampLabelWidth(NaN, 1000), LABEL_DEFAULT_PX);
  });

  it('drags relative to where the drag began, within the bounds', () => {
    assert.equal(labelWidthAfterDrag(240, 100, 1000), 340);
    assert.equal(labelWidthAfterDrag(240, -100, 1000), 140);
    assert.equal(labelWidthAfterDrag(240, -1000, 1000), LABEL_MIN_PX);
    assert.equal(labelWidthAfterDrag(240, 1000, 1000), 600);
  });

  it('keys follow the window-splitter pattern', () => {
    assert.equal(labelWidthAfterKey(240, 'ArrowRight', false, 1000), 240 + LABEL_STEP_PX);
    assert.equal(labelWidthAfterKey(240, 'ArrowLeft', false, 1000), 240 - LABEL_STEP_PX);
    assert.equal(labelWidthAfterKey(240, 'ArrowRight', true, 1000), 240 + LABEL_BIG_STEP_PX);
    assert.equal(labelWidthAfterKey(240, 'PageDown', false, 1000), 240 - LABEL_BIG_STEP_PX);
    assert.equal(labelWidthAfterKey(240, 'PageUp', false, 1000), 240 + LABEL_BIG_STEP_PX);
    assert.equal(labelWidthAfterKey(240, 'Home', false, 1000), LABEL_MIN_PX);
    assert.equal(labelWidthAfterKey(240, 'End', false, 1000), 600);
    assert.equal(labelWidthAfterKey(500, 'Enter', false, 1000), LABEL_DEFAULT_PX);
    assert.equal(labelWidthAfterKey(LABEL_MIN_PX, 'ArrowLeft', false, 1000), LABEL_MIN_PX, 'stops at min');
    assert.equal(labelWidthAfterKey(600, 'ArrowRight', false, 1000), 600, 'stops at max');
    assert.equal(labelWidthAfterKey(240, 'ArrowUp', false, 1000), null);
    assert.equal(labelWidthAfterKey(240, 'a', false, 1000), null);
  });

  it('the view state keeps a chosen width and rejects nonsense', () => {
    assert.equal(parseViewState({ v: 1, gutter: 420 }).gutter, 420);
    for (const bad of [10, 5000, -1, 'wide', null, NaN])
      assert.equal(parseViewState({ v: 1, gutter: bad }).gutter, LABEL_DEFAULT_PX, String(bad));
  });
});
