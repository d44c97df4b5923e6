/**
 * Geometry of the label column (task name + creation site, left of the plot) and its splitter.
 *
 * The user's preferred width is kept in the view state as asked for; what the canvas uses is that
 * width clamped to the canvas at hand, so a width chosen in a wide panel still leaves a usable plot
 * in a narrow one, and widening the panel again gives the labels their room back.
 */

/** Narrowest column: the twisty, the state icon and a few letters of the name. */
export const LABEL_MIN_PX = 80;
/** Widest column kept in the state (a restored value beyond it is treated as corrupt). */
export const LABEL_MAX_PX = 2000;
/** Width of a viewer that has not been resized yet. */
export const LABEL_DEFAULT_PX = 240;
/** The plot keeps at least this much of the canvas, and at least {@link PLOT_MIN_SHARE} of it. */
export const PLOT_MIN_PX = 160;
export const PLOT_MIN_SHARE = 0.4;
/** Arrow-key steps of the splitter: small, and with Shift (or PageUp/PageDown) large. */
export const LABEL_STEP_PX = 16;
export const LABEL_BIG_STEP_PX = 64;

/** The widths the column may take in a canvas `canvasWidth` CSS px wide (max >= min always). */
export function labelBounds(canvasWidth: number): { min: number; max: number } {
  const w = Number.isFinite(canvasWidth) ? Math.max(0, canvasWidth) : 0;
  const max = Math.floor(Math.min(w - PLOT_MIN_PX, w * (1 - PLOT_MIN_SHARE), LABEL_MAX_PX));
  return { min: LABEL_MIN_PX, max: Math.max(LABEL_MIN_PX, max) };
}

/** The width to draw: the preferred width clamped to the bounds (whole CSS px). */
export function clampLabelWidth(preferred: number, canvasWidth: number): number {
  const { min, max } = labelBounds(canvasWidth);
  const p = Number.isFinite(preferred) ? Math.round(preferred) : LABEL_DEFAULT_PX;
  return Math.min(max, Math.max(min, p));
}

/** The width after dragging the splitter `dx` CSS px from where the drag began at `startWidth`. */
export function labelWidthAfterDrag(startWidth: number, dx: number, canvasWidth: number): number {
  return clampLabelWidth(startWidth + dx, canvasWidth);
}

/**
 * The width after a key press on the focused splitter (the WAI-ARIA window-splitter pattern:
 * arrows step, Home/End jump to the bounds, Enter restores the default), or null for other keys.
 */
export function labelWidthAfterKey(
  width: number,
  key: string,
  shift: boolean,
  canvasWidth: number,
): number | null {
  const { min, max } = labelBounds(canvasWidth);
  const step = shift ? LABEL_BIG_STEP_PX : LABEL_STEP_PX;
  switch (key) {
    case 'ArrowLeft':
      return clampLabelWidth(width - step, canvasWidth);
    case 'ArrowRight':
      return clampLabelWidth(width + step, canvasWidth);
    case 'PageDown':
      return clampLabelWidth(width - LABEL_BIG_STEP_PX, canvasWidth);
    case 'PageUp':
      return clampLabelWidth(width + LABEL_BIG_STEP_PX, canvasWidth);
    case 'Home':
      return min;
    case 'End':
      return max;
    case 'Enter':
      return clampLabelWidth(LABEL_DEFAULT_PX, canvasWidth);
    default:
      return null;
  }
}
