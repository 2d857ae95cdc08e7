/**
 * Base of every error tributary raises on purpose: a stable `code` for programs and
 * a message a user can act on. The CLI prints `error: <message>` and exits non-zero.
 */
export class TributaryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting (flag, environment variable, option) that makes no sense. */
export class ConfigError extends TributaryError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}
