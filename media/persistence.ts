/**
 * Saves the view state through the host (VS Code's webview getState/setState, or memory in the
 * standalone file) shortly after the last change: pans and zooms fire once per frame, a save need not.
 */
import type { ViewState } from '../src/core/timeline/viewState';
import type { HostBridge } from './hostBridge';

export const SAVE_DELAY_MS = 150;

export class StateSaver {
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: HostBridge,
    private readonly snapshot: () => ViewState,
  ) {}

  /** Saves soon (debounced). */
  soon(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.dirty) this.now();
    }, SAVE_DELAY_MS);
  }

  now(): void {
    this.dirty = false;
    this.host.setState(this.snapshot());
  }
}
