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
