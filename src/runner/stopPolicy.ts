/**
 * How a run is stopped (Stop, `--timeout`, Ctrl-C): the way a terminal's Ctrl-C would, with a
 * deadline. Ask the runtime to ship every event recorded so far, then SIGINT the program's process
 * group (what Ctrl-C delivers), SIGTERM after a grace period, and SIGKILL the tree after the same
 * period again. A program with shutdown handlers runs them and exits on its own (its exit flush
 * keeps every event); one that ignores both signals is still gone after two grace periods. A second
 * stop while this is under way kills at once. Pure: the process and the clock are given, so the
 * unit test drives it with fakes.
 */

/** The signals the policy sends, in order. */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

/** Where a stop is in its escalation. */
export type StopStage = 'running' | 'flushing' | 'interrupted' | 'terminated' | 'killed' | 'ended';

/** The program, as the policy sees it. */
export interface StopTarget {
  /** Asks the runtime to ship every event so far; calls `done` when it confirms (maybe never). */
  requestFlush(done: () => void): void;
  /** Sends `signal` to the program's process group (the whole tree). */
  signal(signal: StopSignal): void;
}

/** setTimeout/clearTimeout, injectable. */
export interface StopTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: StopTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** `RunOptions.stopGraceMs` when not given. */
export const DEFAULT_STOP_GRACE_MS = 2000;

/**
 * How long to wait for the runtime to confirm the flush before signalling anyway. The writer answers
 * within ~10 ms (plus the host's 20 ms read interval); this only runs out on a machine too loaded to
 * schedule it, or for a program that runs untraced (no writer to answer).
 */
export const FLUSH_WAIT_MS = 3000;

export interface StopPolicyOptions {
  /** Between SIGINT and SIGTERM, and between SIGTERM and SIGKILL. */
  graceMs: number;
  flushWaitMs?: number;
}

export class StopPolicy {
  private current: StopStage = 'running';
  private timer: unknown = null;
  private readonly graceMs: number;
  private readonly flushWaitMs: number;

  constructor(
    private readonly target: StopTarget,
    options: StopPolicyOptions,
    private readonly timers: StopTimers = realTimers,
  ) {
    this.graceMs = Math.max(0, Number.isFinite(options.graceMs) ? options.graceMs : DEFAULT_STOP_GRACE_MS);
    this.flushWaitMs = options.flushWaitMs ?? FLUSH_WAIT_MS;
  }

  get stage(): StopStage {
    return this.current;
  }

  /** True from the first stop until the program has ended. */
  get stopping(): boolean {
    return this.current !== 'running' && this.current !== 'ended';
  }

  /** First call: the graceful escalation. Any later call while it is under way: kill now. */
  stop(): void {
    if (this.current === 'ended' || this.current === 'killed') return;
    if (this.current !== 'running') return this.kill();
    this.current = 'flushing';
    let flushed = false;
    const interrupt = () => {
      if (flushed || this.current !== 'flushing') return;
      flushed = true;
      this.clearTimer();
      this.send('SIGINT', 'interrupted');
      this.after(() => {
        this.send('SIGTERM', 'terminated');
        this.after(() => this.kill());
      });
    };
    this.timer = this.timers.set(interrupt, this.flushWaitMs);
    this.target.requestFlush(interrupt);
  }

  /** SIGKILL the tree at once (a second Stop, a replaced or disposed run). */
  kill(): void {
    if (this.current === 'ended' || this.current === 'killed') return;
    this.clearTimer();
    this.send('SIGKILL', 'killed');
  }

  /** The program has exited: nothing more is sent (its process group id may be reused). */
  ended(): void {
    this.clearTimer();
    this.current = 'ended';
  }

  private send(signal: StopSignal, stage: StopStage): void {
    this.current = stage;
    this.target.signal(signal);
  }

  private after(fn: () => void): void {
    this.timer = this.timers.set(() => {
      this.timer = null;
      if (this.current !== 'ended' && this.current !== 'killed') fn();
    }, this.graceMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}
