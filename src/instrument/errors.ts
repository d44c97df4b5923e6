/** A problem in the user's source (a syntax error): always reported as `file:line:column: message`. */
export class SourceError extends Error {
  constructor(
    /** The file as the user named it (relative to the cwd when inside it). */
    readonly file: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based. */
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'SourceError';
  }
}

/**
 * Whether `err` is a SourceError, also one thrown by another copy of this class (the instrumenter is
 * loaded as its own bundle, so `instanceof` alone cannot tell).
 */
export function isSourceError(err: unknown): err is SourceError {
  const e = err as Partial<SourceError> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.name === 'SourceError' &&
    typeof e.file === 'string' &&
    typeof e.line === 'number' &&
    typeof e.column === 'number' &&
    typeof e.detail === 'string'
  );
}
