/** ANSI styles for terminal reports; identity functions when colour is off. */
export interface Paint {
  readonly ok: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  /** A colour per thread, so a thread's lane and its steps read as one. */
  readonly lane: (tid: number, s: string) => string;
}

const LANE_COLORS = [36, 35, 33, 34, 32, 96, 95, 93];

export function paint(color: boolean): Paint {
  const wrap = (a: number, b: number) => (s: string) => (color && s !== '' ? `\x1b[${a}m${s}\x1b[${b}m` : s);
  return {
    ok: wrap(32, 39),
    bad: wrap(31, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
    lane: (tid, s) => wrap(LANE_COLORS[tid % LANE_COLORS.length]!, 39)(s),
  };
}
