/**
 * Moves: what the engines and schedules hold for "thread `tid` runs alternative `alt` of its
 * next step" (step.ts: `t.choose`) — `tid + alt · MOVE_STRIDE`, so the move of a step that
 * chooses nothing is its thread id. The stride is fixed, not the thread count, because threads
 * can be started during a run (`t.spawn`).
 */
export const MOVE_STRIDE = 4096;

export function moveOf(tid: number, alt: number): number {
  return tid + alt * MOVE_STRIDE;
}

export function tidOf(move: number): number {
  return move % MOVE_STRIDE;
}

export function altOf(move: number): number {
  return Math.floor(move / MOVE_STRIDE);
}
