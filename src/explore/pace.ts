import type { Clock } from './types.ts';

/** Longest stretch of search without a progress report (the CLI's line redraws from these). */
export const PROGRESS_MS = 200;

export const defaultClock: Clock = () => performance.now();

/**
 * The time budget and progress cadence of one search, read from the clock on every call. An
 * engine calls `due()` once per event (a transition, a node): a check every N events with N
 * fixed overruns by N slow events (1000 contending threads: ~6 ms each), and reads of
 * performance.now() cost ~40 ns against the micro-seconds an event costs.
 */
export class Pacer {
  readonly start: number;
  private readonly deadline: number;
  private nextBeat: number;

  constructor(
    private readonly clock: Clock,
    timeMs: number,
    start?: number,
  ) {
    this.start = start ?? clock();
    this.deadline = this.start + timeMs;
    this.nextBeat = this.start; // the first event reports at once
  }

  /**
   * `'time'` once the budget is spent, `'beat'` when PROGRESS_MS have passed since the last
   * beat (report progress, look at memory), else null.
   */
  due(): 'time' | 'beat' | null {
    const now = this.clock();
    if (now > this.deadline) return 'time';
    if (now < this.nextBeat) return null;
    this.nextBeat = now + PROGRESS_MS;
    return 'beat';
  }

  elapsed(): number {
    return this.clock() - this.start;
  }
}
