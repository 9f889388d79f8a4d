/**
 * A witness that belongs to some variants of a model only. For the other variants it holds in
 * the initial state, so it never makes their PASS vacuous; their PASS is judged by the
 * witnesses that do apply to them. FAIL variants ignore witnesses altogether.
 */
export function forVariants<S, P extends { variant: string }>(
  variants: readonly P['variant'][],
  pred: (s: S, p: P) => boolean,
): (s: S, p: P) => boolean {
  return (s, p) => !variants.includes(p.variant) || pred(s, p);
}
