import assert from 'node:assert/strict';
import { formatDuration, formatTimestamp } from '../../src/core/duration';
import { formatDuration as hintsFormat } from '../../src/core/editorHints';
import { formatDuration as textFormat } from '../../src/core/textTimeline';

describe('core/duration', () => {
  it('prints three significant digits in the unit that fits', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(0.0042), '4.20 µs');
    assert.equal(formatDuration(0.25), '250 µs');
    assert.equal(formatDuration(3.44), '3.44 ms');
    assert.equal(formatDuration(12.345), '12.3 ms');
    assert.equal(formatDuration(120.4), '120 ms');
    assert.equal(formatDuration(2003.4), '2.00 s');
    assert.equal(formatDuration(12_345), '12.3 s');
    assert.equal(formatDuration(61_500), '1 min 1.5 s');
    assert.equal(formatDuration(-2.5), '-2.50 ms');
    assert.equal(formatDuration(Infinity), '—');
    assert.equal(formatDuration(NaN), '—');
  });

  it('rounds before choosing the unit: never "1000 ms", "1000 µs" or "60.0 s"', () => {
    assert.equal(formatDuration(999.6), '1.00 s');
    assert.equal(formatDuration(999.4), '999 ms');
    assert.equal(formatDuration(0.9996), '1.00 ms');
    assert.equal(formatDuration(9.996), '10.0 ms');
    assert.equal(formatDuration(99.96), '100 ms');
    assert.equal(formatDuration(59_990), '1 min 0.0 s');
    assert.equal(formatDuration(119_960), '2 min 0.0 s');
  });

  it('is the very function the editor hints and the text timeline export', () => {
    assert.equal(hintsFormat, formatDuration);
    assert.equal(textFormat, formatDuration);
  });

  it('prints timestamps a little more precisely', () => {
    assert.equal(formatTimestamp(0), '0 ms');
    assert.equal(formatTimestamp(0.4), '400 µs');
    assert.equal(formatTimestamp(12.5), '12.5 ms');
    assert.equal(formatTimestamp(1001.2), '1.0012 s');
  });
});
