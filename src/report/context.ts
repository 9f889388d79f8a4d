import type { CheckResult } from '../check/run.ts';
import type { RunInfo } from './blob.ts';

/** Everything a reporter needs besides the results: where, when, and how to show them. */
export interface ReportContext {
  readonly results: readonly CheckResult[];
  readonly elapsedMs: number;
  /** Base for relative paths (the project root, where smpcheck runs). */
  readonly cwd: string;
  /** ANSI colours (text on a TTY only). */
  readonly color: boolean;
  /** Columns the text swimlanes fit in. */
  readonly width: number;
  /** Print every FAIL's counterexample in text, not only unexpected ones. */
  readonly allTraces: boolean;
  /** Print each spec's coverage table in the text report (`--coverage`). */
  readonly coverage?: boolean;
  /** The trace file written for a result, if any. */
  readonly traceFile: (r: CheckResult) => string | undefined;
  /** When the run started (JUnit timestamps). */
  readonly startedAt: Date;
  readonly hostname: string;
  /** smpcheck's own version, for SARIF's tool.driver. */
  readonly version: string;
  /** The whole run this is a part of (spec list, shard, options), for the blob reporter. */
  readonly run?: RunInfo;
}
