import assert from 'node:assert/strict';
import { parseViewState, defaultViewState } from '../../src/core/timeline/viewState';
import { encodeHostMessage, parseHostMessage, parseWebviewMessage } from '../../src/protocol/webview';
import { loadTrace } from './timelineFixtures';

describe('timeline: message guards', () => {
  it('accepts well-formed host messages', () => {
    const trace = loadTrace('workers');
    assert.deepEqual(parseHostMessage({ type: 'trace', trace, live: true }), {
      type: 'trace',
      trace,
      live: true,
    });
    assert.deepEqual(parseHostMessage({ type: 'trace', trace: null, live: false }), {
      type: 'trace',
      trace: null,
      live: false,
    });
    assert.deepEqual(parseHostMessage({ type: 'highlightSite', file: 'a.ts', line: 3 }), {
      type: 'highlightSite',
      file: 'a.ts',
      line: 3,
    });
    assert.deepEqual(parseHostMessage({ type: 'revealTasks', taskIds: [1, 2] }), {
      type: 'revealTasks',
      taskIds: [1, 2],
    });
    assert.deepEqual(parseHostMessage({ type: 'clear' }), { type: 'clear' });
    assert.deepEqual(parseHostMessage({ type: 'settings', blockingThresholdMs: 20, testMode: false, x: 1 }), {
      type: 'settings',
      blockingThresholdMs: 20,
      testMode: false,
    });
  });

  it('rejects malformed host messages', () => {
    for (const bad of [
      null,
      undefined,
      7,
      'trace',
      {},
      { type: 'nope' },
      { type: 'trace', trace: null },
      { type: 'trace', live: true, trace: { format: 'other', tasks: [] } },
      { type: 'trace', live: true, trace: { format: 'async-timeline-trace' } },
      { type: 'highlightSite', file: 'a', line: 1.5 },
      { type: 'highlightSite', file: 1, line: 1 },
      { type: 'revealTasks', taskIds: ['1'] },
      { type: 'revealTasks', taskIds: 1 },
      { type: 'settings', blockingThresholdMs: 50 },
      { type: 'settings', blockingThresholdMs: 0, testMode: false },
      { type: 'settings', blockingThresholdMs: '50', testMode: false },
      { type: 'settings', blockingThresholdMs: 50, testMode: 'yes' },
    ]) {
      assert.equal(parseHostMessage(bad), null, JSON.stringify(bad));
    }
  });

  it('checks what the webview posts', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(
      parseWebviewMessage({ type: 'openSite', site: { file: 'a.ts', line: 2, column: 1, extra: 'x' } }),
      {
        type: 'openSite',
        site: { file: 'a.ts', line: 2, column: 1 },
      },
    );
    assert.equal(parseWebviewMessage({ type: 'openSite', site: { file: 'a.ts', line: 0, column: 1 } }), null);
    assert.deepEqual(parseWebviewMessage({ type: 'selectTask', taskId: null }), {
      type: 'selectTask',
      taskId: null,
    });
    assert.equal(parseWebviewMessage({ type: 'selectTask', taskId: '3' }), null);
    assert.deepEqual(parseWebviewMessage({ type: 'command', command: 'export' }), {
      type: 'command',
      command: 'export',
    });
    assert.equal(parseWebviewMessage({ type: 'command', command: 'rm -rf' }), null);
    assert.deepEqual(
      parseWebviewMessage({ type: 'revealStep', site: { file: 'w.ts', line: 8, column: 3, text: 'x' } }),
      { type: 'revealStep', site: { file: 'w.ts', line: 8, column: 3 } },
    );
    assert.equal(parseWebviewMessage({ type: 'revealStep', site: null }), null);
    assert.equal(parseWebviewMessage({ type: 'revealStep', site: { file: 'w.ts', line: 1.5, column: 1 } }), null);
    assert.equal(parseWebviewMessage({ type: 'revealStep', site: { file: 3, line: 1, column: 1 } }), null);
  });

  it('restores view state defensively', () => {
    assert.deepEqual(parseViewState(undefined), defaultViewState());
    assert.deepEqual(parseViewState({ v: 2, filter: 'x' }), defaultViewState());
    const s = parseViewState({
      v: 1,
      start: 5,
      msPerPx: -1,
      scrollTop: 'x',
      collapsed: [1, 'a', 2.5, 3],
      filter: 7,
      selectedTaskId: 4,
      showTable: true,
      gutter: 10,
      collapsedGroups: [2, 'x', 0],
    });
    assert.equal(s.start, 5);
    assert.equal(s.msPerPx, null);
    assert.equal(s.scrollTop, 0);
    assert.deepEqual(s.collapsed, [1, 3]);
    assert.equal(s.filter, '');
    assert.equal(s.selectedTaskId, 4);
    assert.equal(s.showTable, true);
    assert.equal(s.gutter, defaultViewState().gutter);
    assert.deepEqual(s.collapsedGroups, [2, 0]);
    assert.deepEqual(parseViewState({ v: 1 }).collapsedGroups, [], 'state saved before groups existed');
    const panes = parseViewState({ v: 1, showSteps: true, showCritical: 'yes' });
    assert.equal(panes.showSteps, true, 'the Steps pane stays open over a reload');
    assert.equal(panes.showCritical, false, 'a malformed toggle falls back to off');
    assert.equal(parseViewState({ v: 1 }).showSteps, false, 'state saved before the Steps pane existed');
  });
});

describe('webview messages: the wire form of a trace', () => {
  it('sends a trace as one JSON string and reads it back, hostile text included', () => {
    const trace = JSON.parse(
      JSON.stringify({
        format: 'async-timeline-trace',
        version: 1,
        tasks: [{ id: 1, name: '<img src=x onerror=alert(1)>', segments: [] }],
        output: [{ t: 1, stream: 'stdout', text: '</script>"\u2028' }],
      }),
    );
    const wire = encodeHostMessage({ type: 'trace', trace, live: true }) as { json: string };
    assert.equal(typeof wire.json, 'string');
    assert.deepEqual(parseHostMessage(wire), { type: 'trace', trace, live: true });
    assert.deepEqual(parseHostMessage(encodeHostMessage({ type: 'trace', trace: null, live: false })), { type: 'trace', trace: null, live: false });
    // A test or npm script run says what ran; the title travels beside the trace, and only as text.
    const titled = encodeHostMessage({ type: 'trace', trace, live: false, title: 'test "adds" (node:test)' });
    assert.deepEqual(parseHostMessage(titled), { type: 'trace', trace, live: false, title: 'test "adds" (node:test)' });
    assert.deepEqual(parseHostMessage({ type: 'trace', trace, live: false, title: { html: '<b>' } }), { type: 'trace', trace, live: false });
    assert.equal(parseHostMessage({ type: 'trace', json: '{not json', live: false }), null);
    assert.equal(parseHostMessage({ type: 'trace', json: '{"format":"other"}', live: false }), null);
  });
});
