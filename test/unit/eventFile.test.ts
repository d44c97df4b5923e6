import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventFileReader } from '../../src/runner/eventFile';

describe('EventFileReader', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-events-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hands over every appended byte exactly once, in order, however the writes were cut', () => {
    const file = path.join(dir, 'events');
    fs.writeFileSync(file, '');
    const got: Buffer[] = [];
    const reader = new EventFileReader(file, (chunk) => got.push(Buffer.from(chunk)));
    assert.equal(reader.poll(), 0, 'nothing written yet');

    const fd = fs.openSync(file, 'a');
    const expected: Buffer[] = [];
    let seed = 0;
    const write = (n: number) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = (seed + i) & 0xff;
      seed += n;
      fs.writeSync(fd, b);
      expected.push(b);
    };
    write(3);
    assert.equal(reader.poll(), 3);
    assert.equal(reader.poll(), 0, 'the same bytes are not read twice');
    write(100_000);
    write(7);
    assert.equal(reader.poll(), 100_007);
    write(5);
    fs.closeSync(fd);
    reader.close(); // reads what is left
    assert.deepEqual(Buffer.concat(got), Buffer.concat(expected));
    assert.equal(reader.poll(), 0, 'closed: nothing more');
  });

  it('reads a file larger than one read in several chunks', () => {
    const file = path.join(dir, 'events');
    const big = Buffer.alloc(40 * 1024 * 1024 + 11);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    fs.writeFileSync(file, big);
    const got: Buffer[] = [];
    const reader = new EventFileReader(file, (chunk) => got.push(chunk));
    assert.equal(reader.poll(), big.length);
    assert.ok(got.length >= 3, `${got.length} chunks`);
    assert.ok(Buffer.concat(got).equals(big));
    reader.close();
  });
});
