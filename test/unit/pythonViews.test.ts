/**
 * What the editor, the terminal and the Chrome export say about Python traces (fixtures recorded
 * from examples/python with the real tracer): scheduled waits, cancelled tasks, done callbacks.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { toChromeTrace } from '../../src/core/chromeTrace';
import { computeFileHints } from '../../src/core/editorHints';
import { computeStats } from '../../src/core/stats';
import { renderTextTimeline } from '../../src/core/textTimeline';
import type { Trace } from '../../src/protocol/trace';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/traces', `${name}.json`), 'utf8')) as Trace;
const lineOf = (file: string, text: string) =>
  fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .findIndex((l) => !l.trimStart().startsWith('#') && l.includes(text)) + 1;

describe('Python traces in the editor hints, stats, text timeline and Chrome export', () => {
  const crawl = fixture('python-crawl');
  const group = fixture('python-taskgroup_failure');

  it('a scheduled wait is no yield and no await hint; the creation hover says how long each task waited for the loop', () => {
    const stats = computeStats(crawl);
    const page = stats.tasks.find((t) => t.name === 'crawl_page')!;
    assert.equal(page.yields, 1);
    assert.ok(page.scheduledMs >= 0);
    const file = 'examples/python/crawl.py';
    const hints = computeFileHints(crawl, file, { showCommand: 'show' });
    const createLine = lineOf(file, 'asyncio.create_task(crawl_page(url))');
    assert.ok(!hints.lines.some((h) => h.kind === 'await' && h.line === createLine), 'no ⏸ hint on the create_task line');
    const create = hints.lines.find((h) => h.kind === 'create' && h.line === createLine);
    assert.ok(create, 'a creation hint');
    assert.match(create.label, /→ crawl_page ×4/);
    assert.match(create.hover, /scheduled for/);
  });

  it('done callbacks get a hint on the add_done_callback line', () => {
    const file = 'examples/python/crawl.py';
    const hints = computeFileHints(crawl, file, { showCommand: 'show' });
    const cb = hints.lines.find((h) => h.kind === 'callback');
    assert.ok(cb);
    assert.equal(cb.line, lineOf(file, 'add_done_callback'));
    assert.match(cb.label, /↩ 4× done callbacks/);
    assert.match(cb.hover, /whether it returned, raised or was cancelled/);
    assert.equal(cb.taskIds.length, 4);
  });

  it('gather reads asyncio.gather in the await hover; cancelled tasks are counted on creation hints and lenses', () => {
    const crawlHints = computeFileHints(crawl, 'examples/python/crawl.py', { showCommand: 'show' });
    assert.ok(crawlHints.lines.some((h) => h.kind === 'await' && /\(asyncio\.gather\)/.test(h.hover)));
    const file = 'examples/python/taskgroup_failure.py';
    const hints = computeFileHints(group, file, { showCommand: 'show' });
    const slowCreate = hints.lines.find((h) => h.kind === 'create' && h.line === lineOf(file, "group.create_task(slow('slow', 1))"));
    assert.match(slowCreate?.label ?? '', /1 cancelled/);
    const slowLens = hints.lenses.find((l) => l.line === lineOf(file, 'async def slow'));
    assert.match(slowLens?.title ?? '', /2 cancelled/);
  });

  it('the text timeline marks cancellations and names the legend entries', () => {
    const text = renderTextTimeline(group, { width: 120 });
    assert.match(text, /⊘/);
    assert.match(text, /⊘ cancelled/);
    assert.match(text, /✗ rejected/);
    assert.match(text, /╌ scheduled/);
    assert.match(renderTextTimeline(crawl, { width: 120 }), /done ×4/);
  });

  it('the Chrome export puts scheduled stretches in their own category and carries the runtime', () => {
    const chrome = toChromeTrace(crawl);
    assert.ok(chrome.traceEvents.some((e) => e.cat === 'scheduled' && e.ph === 'X'));
    assert.ok(chrome.traceEvents.some((e) => e.name === 'done callback'));
    assert.equal(chrome.otherData.language, 'python');
    assert.match(String(chrome.otherData.runtime), /^cpython/);
  });
});
