/**
 * When `--timeout` (RunOptions.timeoutMs) runs out: that long after the program's OWN code started,
 * not after the spawn. Starting an interpreter, our preload and writer thread, loading the program's
 * imports take time the user did not write (they left `--timeout 1` 749 ms of its own). The runtime's
 * `start` frame says when the user's code began: Node's tracer sends it from the entry's prologue
 * (`__asyncTimeline.s()`, or the first coroutine if an imported module runs one first), Python's when
 * the script's module body starts; its `epochMs` is that instant on the wall clock, which host and
 * program share. (An ES-module entry's imports evaluate before its prologue: top-level code of the
 * user's own imported modules that starts no coroutine runs before t = 0, and is not counted.)
 */
import type { StopTimers } from './stopPolicy';
import { realTimers } from './stopPolicy';

/**
 * Until the start frame arrives the deadline counts from the spawn plus this allowance. It is the
 * fallback for runs that never send one (untraced runs: `instrument: false`, Python older than 3.11)
 * and a guard should the frame be lost: generous, because a loaded machine can take seconds to start
 * an interpreter, and a run cut short before its own code had its time is the bug this file fixes.
 */
export const START_ALLOWANCE_MS = 5000;

export class RunDeadline {
  private timer: unknown = null;
  private started = false;
  private done = false;

  /**
   * Arms the spawn-based fallback at once (`spawnedAt`: host wall clock, ms). `expire` is called at
   * most once.
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly spawnedAt: number,
    private readonly expire: () => void,
    private readonly now: () => number = Date.now,
    private readonly timers: StopTimers = realTimers,
  ) {
    this.arm(spawnedAt + timeoutMs + START_ALLOWANCE_MS);
  }

  /**
   * The program's own code started at `epochMs` (wall clock). Taken within [spawn, now], so a clock
   * that disagrees a little can neither end the run before it was spawned nor give it more than it
   * had already been told.
   */
  programStarted(epochMs: number): void {
    if (this.started || this.done) return;
    this.started = true;
    const at = Math.min(Math.max(epochMs, this.spawnedAt), this.now());
    this.arm(at + this.timeoutMs);
  }

  /** The run ended (or was stopped): the deadline no longer matters. */
  cancel(): void {
    this.done = true;
    this.clear();
  }

  private arm(deadline: number): void {
    this.clear();
    this.timer = this.timers.set(
      () => {
        this.timer = null;
        if (this.done) return;
        this.done = true;
        this.expire();
      },
      Math.max(0, deadline - this.now()),
    );
  }

  private clear(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}
