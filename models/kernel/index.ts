/**
 * The kernel building blocks, importable as `smpcheck/kernel`: spinlocks, IRQ save/restore,
 * `schedule()`, wait queues, the blocking and the spinning `uk_rwlock`, a one-word rwlock, the
 * page-fault trap, the frame pool, the order-0 free list, the page-table walk, per-core TLBs and
 * reference counts. Each is written once and called from any model (`t.call(spin_lock, { lock: 'A' })`).
 *
 * @example
 * ```ts
 * import { spin_lock, spin_unlock, kernelState } from 'smpcheck/kernel';
 * ```
 * @packageDocumentation
 */
export * from './frames.ts';
export * from './freelist.ts';
export * from './interrupt.ts';
export * from './irq.ts';
export * from './pagefault.ts';
export * from './pagetable.ts';
export * from './props.ts';
export * from './refcount.ts';
export * from './rwlock.ts';
export * from './rwword.ts';
export * from './sched.ts';
export * from './spinlock.ts';
export * from './state.ts';
export * from './tlb.ts';
export * from './vmem.ts';
export * from './waitqueue.ts';
