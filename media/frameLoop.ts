/**
 * The dirty-flag frame loop: any number of invalidations before the next animation frame draw
 * one frame. Counts frames and lets a caller wait for the next one (the tests and the bench).
 */
export class FrameLoop {
  private pending = false;
  private waiters: Array<() => void> = [];
  /** Frames drawn so far. */
  frames = 0;

  constructor(private readonly draw: () => void) {}

  /** Marks the canvas dirty; one frame is drawn on the next animation frame however many calls. */
  invalidate(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
      this.frames++;
      for (const r of this.waiters.splice(0)) r();
    });
  }

  /** Resolves after the next frame is drawn. */
  nextFrame(): Promise<void> {
    return new Promise<void>((r) => this.waiters.push(r));
  }
}
