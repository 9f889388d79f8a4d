import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { reproduce } from '../check/reproduce.ts';
import { canonical } from '../explore/state-key.ts';
import { ModelError, UsageError } from '../model/errors.ts';
import { Program } from '../model/program.ts';
import { buildCounterexample } from '../report/counterexample.ts';
import { paint } from '../report/paint.ts';
import { renderStory } from '../report/text.ts';
import { parseTrace } from '../report/trace-file.ts';
import { loadSpecs } from './load.ts';

export interface ReplayIo {
  out: (s: string) => void;
  color: boolean;
  width: number;
}

/** Exit codes of `smpcheck replay`, as the gate's: 0 reproduced, 1 no longer applies, 2 cannot replay. */
export const REPLAY_REPRODUCED = 0;
export const REPLAY_DIVERGED = 1;
export const REPLAY_CANNOT = 2;

/**
 * `smpcheck replay FILE`: loads the spec the trace names, rebuilds the model with the recorded
 * parameters, re-executes the recorded schedule step by step and prints the story. When the
 * model changed under the trace, it prints the steps that still apply and says at which step
 * and why the rest does not, instead of telling a story the model no longer has.
 */
export async function runReplay(file: string, io: ReplayIo): Promise<number> {
  const p = paint(io.color);
  const shown = relative(process.cwd(), resolve(file)) || file;
  if (!existsSync(file)) throw new UsageError(`${shown}: no such trace file; 'smpcheck check' writes one per failing spec in .smpcheck/traces/`);
  if (statSync(file).isDirectory()) throw new UsageError(`${shown}: is a folder; give one trace file in it, e.g. smpcheck replay ${join(shown, '<spec>-<hash>.json')}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${shown}: cannot read this file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  const trace = parseTrace(text, shown);
  const specFile = resolve(dirname(resolve(file)), trace.spec.file);
  const specShown = relative(process.cwd(), specFile);
  if (!existsSync(specFile)) {
    throw new UsageError(`${shown}: the spec file it was recorded from, ${specShown}, does not exist; restore it or run 'smpcheck check' to record a new trace`);
  }
  const spec = (await loadSpecs([specFile])).find((s) => s.name === trace.spec.name);
  if (spec === undefined) {
    throw new UsageError(`${shown}: ${specShown} has no spec named '${trace.spec.name}' any more; run 'smpcheck check' to record a new trace`);
  }
  io.out(`${p.bold(`Replaying ${trace.spec.name}`)} (${specShown}): ${trace.violation.kind} ${trace.violation.property}, ${trace.schedule.length} steps\n`);
  if (spec.model.name !== trace.model) {
    io.out(`${p.bad(`  the trace no longer applies: it was recorded on model '${trace.model}', and the spec now checks model '${spec.model.name}'`)}\n`);
    return REPLAY_DIVERGED;
  }
  const current = { ...spec.model.params, ...spec.params };
  if (canonical(current) !== canonical(trace.params)) {
    io.out(`${p.dim(`  note: the spec's parameters are now ${canonical(current)}; replaying with the recorded ${canonical(trace.params)}`)}\n`);
  }
  let program: Program;
  try {
    program = new Program(spec.model, trace.params);
  } catch (e) {
    throw new UsageError(`${shown}: the model rejects the recorded parameters: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  let rep;
  try {
    rep = reproduce(program, { target: trace.violation, schedule: trace.schedule, steps: trace.steps, ...(trace.alts ? { alts: trace.alts } : {}) });
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    throw new UsageError(`${shown}: the model broke while replaying: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}`, { cause: e });
  }
  const cx = buildCounterexample(program, rep.violation, spec.site, rep.story);
  io.out(`${renderStory(cx, { color: io.color, width: io.width, violated: rep.kind === 'reproduced' }).join('\n')}\n`);
  switch (rep.kind) {
    case 'reproduced':
      io.out(`${p.ok(`✓ reproduced: ${cx.summary}`)}\n`);
      return REPLAY_REPRODUCED;
    case 'not-violated':
      io.out(`${p.bad(`✗ every step replays as recorded, but ${trace.violation.property} is no longer violated at the end: ${notViolated(trace.violation.kind)}`)}\n`);
      return REPLAY_DIVERGED;
    case 'diverged': {
      const d = rep.story.divergence!;
      const broken = d.reason === 'nondeterministic' || d.reason === 'unexplained-change';
      io.out(`${p.bad(broken ? `✗ cannot replay: step ${d.index} is not deterministic; fix the model (a step must give the same result from the same state)` : `✗ not reproduced: the model changed since the trace was recorded; run 'smpcheck check' to record a new one`)}\n`);
      return broken ? REPLAY_CANNOT : REPLAY_DIVERGED;
    }
  }
}

function notViolated(kind: string): string {
  switch (kind) {
    case 'assertion': return 'the last step no longer fails it';
    case 'invariant': return 'it holds in the last state';
    case 'final': return 'it holds, or not every thread has finished';
    default: return 'some thread can still move, or every thread has finished';
  }
}
