/**
 * A problem in a model or spec (a step threw, state that is not plain data, a bad label): the
 * user's to fix, reported as verdict ERROR with the step it happened in, never as a crash. A
 * model may throw one itself to reject a configuration, with a hint shown as `Hint:`.
 *
 * @example
 * ```ts
 * throw new ModelError('the buddy allocator needs a power-of-two frame count', 'use frames: 4 or 8');
 * ```
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  /** A likely cause and fix, printed as a `Hint:` line. */
  hint?: string;

  constructor(message: string, hint?: string) {
    super(message);
    if (hint !== undefined) this.hint = hint;
  }
}

/** Bad input to the CLI or a spec file that cannot be used: exit code 2, one line, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
