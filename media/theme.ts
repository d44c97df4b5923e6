/** The colours and fonts the canvas paints with, resolved from CSS custom properties. */
export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  bg: string;
  fg: string;
  muted: string;
  gutterBg: string;
  border: string;
  running: string;
  blocking: string;
  rejected: string;
  fulfilled: string;
  arrow: string;
  callback: string;
  highlight: string;
  focus: string;
  selection: string;
  hover: string;
  /** High-contrast outline colour, or null outside high-contrast themes. */
  contrast: string | null;
  contrastActive: string | null;
  font: string;
  fontBold: string;
  monoFont: string;
  fontSize: number;
}

/**
 * Reads the palette from the body's computed style (the --at-* roles defined in main.css on top
 * of VS Code's --vscode-* variables). Cheap enough to call on every theme change.
 */
export function readTheme(): Theme {
  const cs = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  const cl = document.body.classList;
  const kind: Theme['kind'] = cl.contains('vscode-high-contrast-light')
    ? 'high-contrast-light'
    : cl.contains('vscode-high-contrast')
      ? 'high-contrast'
      : cl.contains('vscode-dark')
        ? 'dark'
        : cl.contains('vscode-light')
          ? 'light'
          : matchMedia('(prefers-color-scheme: dark)').matches
            ? 'dark'
            : 'light';
  const hc = kind === 'high-contrast' || kind === 'high-contrast-light';
  const contrast = v('--at-contrast', 'transparent');
  const family = v('--vscode-font-family', 'system-ui, sans-serif');
  const size = parseFloat(v('--vscode-font-size', '13px')) || 13;
  const fontSize = Math.max(11, Math.min(15, size - 1));
  return {
    kind,
    bg: v('--at-bg', '#ffffff'),
    fg: v('--at-fg', '#1f1f1f'),
    muted: v('--at-muted', '#717171'),
    gutterBg: v('--at-gutter-bg', '#f8f8f8'),
    border: v('--at-border', '#e5e5e5'),
    running: v('--at-running', '#1a85ff'),
    blocking: v('--at-blocking', '#d18616'),
    rejected: v('--at-rejected', '#e51400'),
    fulfilled: v('--at-fulfilled', '#388a34'),
    arrow: v('--at-arrow', '#652d90'),
    callback: v('--at-callback', '#bf8803'),
    highlight: v('--at-highlight', '#bf8803'),
    focus: v('--at-focus', '#005fb8'),
    selection: v('--at-selection', '#e4e6f1'),
    hover: v('--at-hover', '#f2f2f2'),
    contrast: hc && contrast !== 'transparent' ? contrast : hc ? '#ffffff' : null,
    contrastActive: hc ? v('--at-contrast-active', '#f38518') : null,
    font: `${fontSize}px ${family}`,
    fontBold: `600 ${fontSize}px ${family}`,
    monoFont: `${fontSize - 1}px ${v('--vscode-editor-font-family', 'monospace')}`,
    fontSize,
  };
}

/**
 * Calls `onChange` when VS Code switches theme: it rewrites the body class (vscode-light/dark/
 * high-contrast) and the --vscode-* variables on <html>'s style; the standalone page follows the
 * OS colour scheme instead.
 */
export function watchTheme(onChange: () => void): () => void {
  const mo = new MutationObserver(() => onChange());
  mo.observe(document.body, {
    attributes: true,
    attributeFilter: ['class', 'style', 'data-vscode-theme-kind'],
  });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
  const mq = matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', onChange);
  return () => {
    mo.disconnect();
    mq.removeEventListener('change', onChange);
  };
}

/** `color` with alpha applied, for any CSS colour the canvas accepts (hex, rgb(), named…). */
export function withAlpha(ctx: CanvasRenderingContext2D, color: string, alpha: number): string {
  const key = color + '|' + alpha;
  const hit = alphaCache.get(key);
  if (hit) return hit;
  // Let the canvas normalise the colour, then rebuild it with the alpha.
  ctx.save();
  ctx.fillStyle = '#000';
  ctx.fillStyle = color;
  const norm = String(ctx.fillStyle);
  ctx.restore();
  let out = color;
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(norm);
  if (m) out = `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})`;
  else {
    const r = /^rgba?\(([^,]+),([^,]+),([^,)]+)(?:,([^)]+))?\)$/.exec(norm.replace(/\s+/g, ''));
    if (r) out = `rgba(${r[1]}, ${r[2]}, ${r[3]}, ${(r[4] !== undefined ? parseFloat(r[4]) : 1) * alpha})`;
  }
  alphaCache.set(key, out);
  return out;
}
const alphaCache = new Map<string, string>();
