import type { State } from '../model/program.ts';

/** A canonical string for plain data: object keys sorted, so equal values give equal strings. */
export function canonical(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + canonical(value[i]);
    return s + ']';
  }
  const keys = Object.keys(value).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + JSON.stringify(keys[i]) + ':' + canonical((value as any)[keys[i]!]);
  return s + '}';
}

/** The identity of a whole state (shared data and every call stack) for stateful search. */
export function stateKey(state: State): string {
  let s = canonical(state.shared) + '|';
  for (const frames of state.threads) {
    s += '/';
    for (const f of frames) s += `${f.proc}.${f.label}${canonical(f.locals)}>${f.into ?? ''};`;
  }
  return s;
}
