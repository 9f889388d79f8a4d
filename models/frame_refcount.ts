import { defineModel, procedure, range, thread, type ArgsOf, type Procedure, type ThreadSpec } from '../src/index.ts';
import { ffree, framePool, NIL, takeFrame, type FrameState, framesAssertions } from './kernel/frames.ts';
import { pageTable, type PagingState, pagetableAssertions } from './kernel/pagetable.ts';
import { forVariants } from './kernel/props.ts';
import { ref_get, ref_get_nonatomic, ref_put, ref_put_nonatomic, ref_try_get, refcountAssertions } from './kernel/refcount.ts';
import { spin_lock, spin_unlock, spinlockAssertions } from './kernel/spinlock.ts';
import { kernelState, type KernelState } from './kernel/state.ts';
import { invlpg, ipiHandlers, tlb_shootdown, tlbState, type TlbState } from './kernel/tlb.ts';

/**
 * M9 `frame_refcount` (MODELS.md): frame F is mapped at A (PTE Ea). C0 unmaps A
 * (pg_page_unmap: clear the PTE, local invlpg, pg_ffree or put), C1 shares A's frame into B
 * (a second mapping: read Ea, take a reference, write Eb), C2 is another allocator client that
 * takes F once it is free and writes a secret into it. Upstream has no reference counting:
 * unmapping frees (ukplat_page_unmap: "no reference counting"); pg_ffree swallows -ENOMEM.
 *
 * Variants: 9a (no refcount), 9b-race-put (non-atomic put, both mappings unmapped at once),
 * 9b-race-get (non-atomic get against put), 9c (atomic get/put, unprotected lookup), 9d-i
 * (everything under PT), 9d-ii (GUP-fast: try-get, re-validate the PTE, retry), 9e (9d-i while
 * C1 still caches A → F in its TLB; C0 frees after a local flush only), 9e-fix (free after a
 * remote shootdown, as mmu_gather does).
 *
 * `sharers` (default 1): how many cores share A's frame, each into its own PTE: C1 into B, then
 * C3, C4, … (after the client C2) into the next entries.
 */
export type M9Variant = '9a' | '9b-race-put' | '9b-race-get' | '9c' | '9d-i' | '9d-ii' | '9e' | '9e-fix';
type RefMode = 'none' | 'nonatomic' | 'atomic' | 'try';
type Params = { variant: M9Variant; sharers: number };
type Shared = KernelState &
  PagingState &
  FrameState &
  TlbState & {
    locks: { PT: number };
    /** Ghost: C2 owns F; C1 saw its try-get fail at 0, or its re-validation fail. */
    client_owns: boolean;
    tryget_failed: boolean;
    revalidate_failed: boolean;
  };

const F = 0;
const A = 0;
const B = 1;
const SECRET = 42;

const refMode = (v: M9Variant): RefMode =>
  v === '9a' ? 'none' : v.startsWith('9b') ? 'nonatomic' : v === '9d-ii' ? 'try' : 'atomic';
const underPT = (v: M9Variant) => v === '9d-i' || v === '9e' || v === '9e-fix';

/** pg_page_unmap of page l: u1 read the PTE, u2 clear it (+ local invlpg), u3 release the frame. */
const unmap = procedure<Shared, Params, UnmapLocals>('pg_page_unmap', {
  u1_pte_read: (s, t) => {
    const e = s.pt.tables.T![t.l];
    if (e == null) return t.ret();
    t.x = e.paddr as number;
  },
  u2_pte_clear: (s, t) => {
    s.pt.tables.T![t.l] = null;
    invlpg(s, t.core, t.l);
  },
  u2_tlb_shootdown: (s, t, p) => { if (p.variant === '9e-fix') t.call(tlb_shootdown); }, // mmu_gather: flush before free
  u3_put: (s, t, p) => {
    const mode = refMode(p.variant);
    if (mode === 'none') t.call(ffree, { f: t.x }); // pg_ffree
    else if (mode === 'nonatomic') t.call(ref_put_nonatomic, { f: t.x });
    else t.call(ref_put, { f: t.x });
  },
});

/** Share A's frame into B (`into`): g1 read Ea, g2 take a reference, g3 write Eb. */
const share = procedure<Shared, Params, ShareLocals>('share_into_B', {
  g1_pte_read: (s, t) => {
    const e = s.pt.tables.T![A];
    if (e == null) return t.ret();
    t.y = e.paddr as number;
  },
  g2_get: (s, t, p) => {
    const mode = refMode(p.variant);
    if (mode === 'none') t.goto('g3_pte_write');
    else if (mode === 'nonatomic') t.call(ref_get_nonatomic, { f: t.y }, { then: 'g3_pte_write' });
    else if (mode === 'atomic') t.call(ref_get, { f: t.y }, { then: 'g3_pte_write' });
    else t.call(ref_try_get, { f: t.y }, { into: 'ok' }); // folio_try_get
  },
  g2_revalidate: (s, t) => {
    if (!t.ok) {
      s.tryget_failed = true; // the count was 0: the frame is being freed; back off and retry
      return t.goto('g1_pte_read');
    }
    if (s.pt.tables.T![A]?.paddr === t.y) return t.goto('g3_pte_write');
    s.revalidate_failed = true; // the PTE changed under us: drop the reference and retry
  },
  g2_put_retry: (s, t) => { t.call(ref_put, { f: t.y }, { then: 'g1_pte_read' }); },
  g3_pte_write: (s, t) => { s.pt.tables.T![t.into] = { paddr: t.y, attr: 'RW' }; },
});

/** Any procedure run with PT held around it (9d-i: lookups and unmaps under the page-table lock). */
const with_pt_lock = procedure<Shared, Params, WithPtLockLocals>('with_pt_lock', {
  lock: (s, t) => { t.call(spin_lock, { lock: 'PT' }); },
  body: (s, t) => { t.call(t.body, t.args); },
  unlock: (s, t) => { t.call(spin_unlock, { lock: 'PT' }); },
});

/** C2: falloc() and write a secret into the frame. */
const client = procedure<Shared, Params, { f: number }>('allocator_client', {
  a1_falloc: (s, t) => {
    t.f = takeFrame(s);
    if (t.f === NIL) return t.ret();
    s.client_owns = true;
  },
  a2_store_secret: (s, t) => { s.fa.data[t.f] = SECRET; },
});

function op<L>(name: string, body: Procedure<Shared, Params, L>, args: ArgsOf<L>, p: Params): ThreadSpec {
  return underPT(p.variant) ? thread(name, with_pt_lock, { body: body.name, args }) : thread(name, body, args);
}

function threadsOf(p: Params): ThreadSpec[] {
  const c1 = p.variant === '9b-race-put' ? op('C1', unmap, { l: B }, p) : op('C1', share, { into: B }, p);
  const ts = [op('C0', unmap, { l: A }, p), c1, thread('C2', client)];
  for (let k = 2; k <= p.sharers; k++) ts.push(op(`C${k + 1}`, share, { into: k }, p));
  if (p.variant === '9e-fix') ts.push(...ipiHandlers(range(cores(p)).slice(1), 1));
  return ts;
}

/** C0, C1, C2 and the further sharers, one core each (IPI handlers run on their target cores). */
const cores = (p: Params) => 2 + p.sharers;

/** PTEs (and TLB entries) that map F. */
const ptesOnF = (s: Shared) => s.pt.tables.T!.filter((e) => e?.paddr === F).length;
const tlbOnF = (s: Shared) => s.tlb.some((row) => row.some((e) => e?.paddr === F));

export const frameRefcount = defineModel({
  name: 'frame_refcount',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: [...framesAssertions, ...pagetableAssertions, ...refcountAssertions, ...spinlockAssertions],
  description: 'get/put reference counts versus freeing a frame still mapped elsewhere',
  params: { variant: '9a', sharers: 1 } as Params,
  check: (p) => (p.sharers >= 1 ? undefined : 'sharers must be at least 1'),
  shared: (p): Shared => {
    const both = p.variant === '9b-race-put';
    const fa = framePool(1, [F], { refs: refMode(p.variant) !== 'none' });
    if (both) fa.ref![F] = 2;
    const cached = p.variant === '9e' || p.variant === '9e-fix' ? [{ core: 1, l: A, entry: { paddr: F, attr: 'RW' } }] : [];
    return {
      ...kernelState({ cores: cores(p), threads: threadsOf(p).length, spinlocks: ['PT'] }),
      locks: { PT: 0 },
      fa,
      pt: pageTable(1 + p.sharers, { table: 'T' }, { T: [{ paddr: F, attr: 'RW' }, both ? { paddr: F, attr: 'RW' } : null, ...range(p.sharers - 1).map(() => null)] }),
      ...tlbState(cores(p), 1 + p.sharers, cached),
      client_owns: false,
      tryget_failed: false,
      revalidate_failed: false,
    };
  },
  threads: threadsOf,
  procedures: [unmap, share],
  invariants: {
    // A free frame is mapped by no PTE and cached in no TLB.
    'I-free-unmapped': (s) => !s.fa.free[F] || (ptesOnF(s) === 0 && !tlbOnF(s)),
  },
  finals: {
    // The count equals the frame's users: its mappings and an allocator client that owns it.
    'I-ref': (s) => s.fa.ref === undefined || s.fa.free[F] || s.fa.ref[F] === ptesOnF(s) + (s.client_owns ? 1 : 0),
    // A frame nobody maps or owns is back in the allocator.
    'I-noleak': (s) => ptesOnF(s) > 0 || s.client_owns || s.fa.free[F]!,
  },
  witnesses: {
    // 9d-i: C1's reference keeps F alive through C0's unmap; or C0 unmaps first and C1 finds nothing.
    'W-share-first': forVariants(['9d-i'], (s: Shared) => s.pt.tables.T![A] === null && s.pt.tables.T![B]?.paddr === F && !s.fa.free[F]),
    'W-unmap-first': forVariants(['9d-i'], (s: Shared) => s.pt.tables.T![A] === null && s.pt.tables.T![B] === null),
    // 9d-ii: the try-get meets a count of 0, and the re-validation catches a concurrent unmap.
    'W-tryget-zero': forVariants(['9d-ii'], (s: Shared) => s.tryget_failed),
    'W-revalidate': forVariants(['9d-ii'], (s: Shared) => s.revalidate_failed),
    // 9e-fix: C1's cached translation of A is shot down before F is freed.
    'W-shootdown': forVariants(['9e-fix'], (s: Shared) => s.tlb_shot > 0),
  },
});

/**
 * pg_page_unmap's frame: the page `l` (arg) and the frame `x` its PTE mapped. This model's PTEs
 * map frame numbers (a Leaf's paddr may be a string only for a split large page), hence the
 * `as number` where `x` and share_into_B's `y` are read from a PTE.
 */
type UnmapLocals = { l: number; x: number };
/** share_into_B's frame: the PTE `into` (arg), the frame `y` read from Ea, and whether the try-get was `ok`. */
type ShareLocals = { into: number; y: number; ok?: boolean };
/**
 * with_pt_lock's frame: the procedure to run, by name (`body`), and its `args`: those are the
 * callee's locals, which depend on which procedure it is (dynamic, checked by the callee).
 */
type WithPtLockLocals = { body: string; args: Record<string, unknown> };
