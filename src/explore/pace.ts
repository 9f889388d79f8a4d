import type { Clock } from './types.ts';

/** Longest stretch of search without a progress report (the CLI's line redraws from these). */
export const PROGRESS_MS = 200;

export const defaultClock: Clock = () => performance.now();

const MB = 1024 * 1024;

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

  /**
   * `due()` plus a memory budget, for the engines that store states: `'memory'` once the
   * process's resident memory is over `maxMemoryMB`, read on every beat and every `every`-th
   * call (a power of two), so that slow events do not leave it unread for minutes.
   */
  budget(maxMemoryMB: number, every: number): 'time' | 'memory' | 'beat' | null {
    const due = this.due();
    if (due === 'time') return 'time';
    if ((due === 'beat' || (++this.calls & (every - 1)) === 0) && process.memoryUsage.rss() > maxMemoryMB * MB) return 'memory';
    return due;
  }

  private calls = 0;

  elapsed(): number {
    return this.clock() - this.start;
  }
}
