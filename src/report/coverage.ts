import type { CheckResult } from '../check/run.ts';
import type { StepCoverage } from '../check/coverage.ts';

/** More dead steps than this go on one line instead of one line each. */
const ONE_LINE_EACH = 3;

const ASK = 'is the model exercising what you think?';

function stepText(s: StepCoverage): string {
  return s.blockedOnly ? `${s.step} (always blocked)` : s.step;
}

/**
 * `dead step: SPEC proc.label never ran: is the model …?` for a PASS or VACUOUS result: only a
 * complete search has run every reachable step, so only there does "never ran" mean unreachable.
 * A VACUOUS result of `coverage: 'all'` names its dead steps in its own section instead.
 */
export function deadStepLines(r: CheckResult): string[] {
  if ((r.verdict !== 'PASS' && r.verdict !== 'VACUOUS') || r.coverage === undefined || r.stepsMissed !== undefined) return [];
  const dead = r.coverage.steps.filter((s) => !s.ran);
  if (dead.length === 0) return [];
  if (dead.length <= ONE_LINE_EACH) return dead.map((s) => `dead step: ${r.name} ${stepText(s)} never ran: ${ASK}`);
  return [`dead steps: ${r.name} ${dead.map(stepText).join(', ')} never ran: ${ASK}`];
}

/** `--coverage`: the steps that ran, never ran and were only reached blocked, and the properties evaluated. */
export function coverageTable(r: CheckResult): string[] {
  const c = r.coverage;
  if (c === undefined) return [`coverage of ${r.name}: none (${r.verdict === 'ERROR' ? 'the spec could not be checked' : 'the search was cut short'})`];
  const ran = c.steps.filter((s) => s.ran);
  const blocked = c.steps.filter((s) => s.blockedOnly);
  const never = c.steps.filter((s) => !s.ran && !s.blockedOnly);
  const evaluated = c.properties.filter((p) => p.evaluated);
  const list = (xs: readonly string[]) => (xs.length === 0 ? '-' : xs.join(', '));
  const partial = r.verdict === 'PASS' || r.verdict === 'VACUOUS' ? '' : ' (search not complete)';
  return [
    `coverage of ${r.name}${partial}: ${ran.length}/${c.steps.length} steps ran, ${evaluated.length}/${c.properties.length} properties evaluated`,
    `  ran:            ${list(ran.map((s) => s.step))}`,
    `  never ran:      ${list(never.map((s) => s.step))}`,
    `  only blocked:   ${list(blocked.map((s) => s.step))}`,
    `  evaluated:      ${list(evaluated.map((p) => `${p.kind} ${p.property}`))}`,
    `  not evaluated:  ${list(c.properties.filter((p) => !p.evaluated).map((p) => `${p.kind} ${p.property}`))}`,
  ];
}
