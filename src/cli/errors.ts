// Errors the CLI maps to exit codes: UsageError -> 2 (bad input), anything else -> 1.

/** Bad input from the user: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
