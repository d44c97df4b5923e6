import assert from 'node:assert/strict';
import { buildStandaloneHtml, EMBEDDED_TRACE_ID } from '../../src/core/htmlExport';
import { loadTrace } from './timelineFixtures';

describe('timeline: standalone HTML export', () => {
  const assets = {
    js: 'console.log("</script><script>alert(1)</script>"); /* <!-- */',
    css: 'body{color:red}/*</style><script>x</script>*/',
  };

  it('embeds the trace as inert JSON that round-trips, with no way out of the data block', () => {
    const trace = loadTrace('xss');
    const html = buildStandaloneHtml(trace, assets, 'NONCE123');
    const open = `<script id="${EMBEDDED_TRACE_ID}" type="application/json">`;
    const start = html.indexOf(open) + open.length;
    const end = html.indexOf('</script>', start);
    const block = html.slice(start, end);
    assert.ok(!/[<>]/.test(block), 'no angle brackets inside the data block');
    assert.deepEqual(JSON.parse(block), trace);
  });

  it('inlines the viewer so its text cannot close its own element', () => {
    const html = buildStandaloneHtml(loadTrace('workers'), assets, 'NONCE123');
    // Only the two script elements we wrote can close; `<script` inside script text is inert
    // as long as no `</script` or `<!--` (the double-escape trap) survives.
    assert.equal(html.match(/<\/script/gi)!.length, 2);
    assert.equal(html.match(/<\/style/gi)!.length, 1);
    assert.ok(!html.includes('<!--'));
  });

  it('sets a strict CSP: nonce scripts and styles, no remote anything', () => {
    const html = buildStandaloneHtml(loadTrace('workers'), assets, 'NONCE123');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-NONCE123'/);
    assert.match(csp, /style-src 'nonce-NONCE123'/);
    assert.ok(!/unsafe|https?:/.test(csp));
    assert.ok(html.includes('<script nonce="NONCE123">'));
    assert.ok(html.includes('<style nonce="NONCE123">'));
  });

  it('escapes the title and makes a fresh random nonce by default', () => {
    const t = loadTrace('xss');
    const a = buildStandaloneHtml(t, assets);
    const b = buildStandaloneHtml(t, assets);
    const nonce = (s: string) => /'nonce-([^']+)'/.exec(s)![1];
    assert.notEqual(nonce(a), nonce(b));
    assert.ok(nonce(a).length >= 20);
    assert.ok(!/<title>[^<]*<img/.test(a));
  });
});
