/** A JSON report without what depends on the clock (every `durationMs`). */
export function untimed(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(untimed);
  if (json !== null && typeof json === 'object') return Object.fromEntries(Object.entries(json).filter(([k]) => k !== 'durationMs').map(([k, v]) => [k, untimed(v)]));
  return json;
}

/** Text output without the time column and the summary's time. */
export function untimedText(s: string): string {
  return s.replace(/ +\d+(\.\d)? (ms|s)$/gm, '').replace(/ in \d+(\.\d)? (ms|s)$/gm, '');
}
