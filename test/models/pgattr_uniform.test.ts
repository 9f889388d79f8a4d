import { describe, expect, it } from 'vitest';
import m8, { larger } from '../../specs/pgattr_uniform.spec.ts';
import { everyViolation, named, run } from './support.ts';

describe('M8 pgattr_uniform shows what MODELS.md says', () => {
  it('8a-U and 8b leave mixed permissions; 8b even with the whole-call lock', () => {
    expect(everyViolation(named(m8, 'pgattr_uniform/8a-U'))).toEqual(['U1']);
    expect(everyViolation(named(m8, 'pgattr_uniform/8b'))).toEqual(['U1']);
  });

  it('8a-L: the calls serialize in both orders and the last one wins', () => {
    expect(run(named(m8, 'pgattr_uniform/8a-L')).explore!.witnessesReached).toEqual(expect.arrayContaining(['W-R-last', 'W-RW-last']));
  });

  it('8b-fix: the fault installs v2 before or after set_attr, never with stale attributes', () => {
    expect(run(named(m8, 'pgattr_uniform/8b-fix')).explore!.witnessesReached).toEqual(
      expect.arrayContaining(['W-fault-first', 'W-setattr-first']),
    );
  });

  it('8c: a stale remote TLB entry allows a write after set_attr(R) returned; the shootdown removes it', () => {
    expect(everyViolation(named(m8, 'pgattr_uniform/8c'))).toEqual(['U2']);
    expect(run(named(m8, 'pgattr_uniform/8c-fix')).explore!.witnessesReached).toContain('W-shootdown');
  });

  it('8c-irqoff: each core waits for an ack the other cannot give', () => {
    const r = run(named(m8, 'pgattr_uniform/8c-irqoff'));
    expect(r.violation!.detail).toBe('blocked: C0, C1, IPI0, IPI1');
  });
});

describe('M8 with three cores (larger configurations)', () => {
  it('8c-fix: the shootdown removes the stale entries of both other cores', () => {
    const r = run(named(larger, 'pgattr_uniform/8c-fix/3cores'));
    expect(r.verdict).toBe('PASS');
    expect(r.explore!.witnessesReached).toContain('W-shootdown');
    expect(r.program!.initial.shared.tlb.flat().filter((e: unknown) => e !== null)).toHaveLength(2);
  });
});
