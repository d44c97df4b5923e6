/**
 * The timeline's keyboard map: which key means what, in one table (docs/viewer.md lists the same
 * keys). The app decides what each action does; this file only names it.
 */
export type KeyAction =
  | 'panEarlier'
  | 'panEarlierFast'
  | 'panLater'
  | 'panLaterFast'
  | 'selectPrevLane'
  | 'selectNextLane'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'zoomIn'
  | 'zoomOut'
  | 'fit'
  | 'zoomToSelection'
  | 'open'
  | 'fold'
  | 'foldGroup'
  | 'prevSegment'
  | 'nextSegment'
  | 'clear'
  | 'toggleTable'
  | 'toggleOutput'
  | 'toggleArrows'
  | 'toggleSteps'
  | 'toggleCritical'
  | 'prevStep'
  | 'nextStep';

/** The part of a keyboard event the map reads. */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

const KEYS: Record<string, KeyAction> = {
  ArrowUp: 'selectPrevLane',
  ArrowDown: 'selectNextLane',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  Home: 'home',
  End: 'end',
  '+': 'zoomIn',
  '=': 'zoomIn',
  '-': 'zoomOut',
  _: 'zoomOut',
  '0': 'fit',
  f: 'fit',
  z: 'zoomToSelection',
  Enter: 'open',
  ' ': 'fold',
  c: 'fold',
  g: 'foldGroup',
  '[': 'prevSegment',
  ']': 'nextSegment',
  Escape: 'clear',
  t: 'toggleTable',
  o: 'toggleOutput',
  a: 'toggleArrows',
  // The Steps pane and the critical path. ← → pan here; in the Steps list they step.
  n: 'toggleSteps',
  p: 'toggleCritical',
  ',': 'prevStep',
  '.': 'nextStep',
};

/** The action for a key press on the timeline, or null (not ours: Alt/Meta chords, Ctrl but Ctrl+0). */
export function keyAction(e: KeyPress): KeyAction | null {
  if (e.altKey || e.metaKey || (e.ctrlKey && e.key !== '0')) return null;
  if (e.key === 'ArrowLeft') return e.shiftKey ? 'panEarlierFast' : 'panEarlier';
  if (e.key === 'ArrowRight') return e.shiftKey ? 'panLaterFast' : 'panLater';
  return Object.prototype.hasOwnProperty.call(KEYS, e.key) ? KEYS[e.key] : null;
}
