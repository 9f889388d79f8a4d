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

/**
 * A JSON report without what depends on how a stateful search was shared among threads (spare
 * workers join large searches: explore/split-search.ts): `threads`, and the transitions,
 * revisits and table bytes of stateful rows. States, end states and deadlocks stay.
 */
export function unshared(json: unknown): unknown {
  const doc = json as { specs?: Record<string, unknown>[] };
  if (!Array.isArray(doc?.specs)) return json;
  return {
    ...doc,
    specs: doc.specs.map((s) => {
      if (s.engine !== 'stateful') return s;
      const { threads: _t, events: _e, revisits: _r, storeBytes: _b, ...rest } = s;
      return rest;
    }),
  };
}
