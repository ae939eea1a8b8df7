/**
 * Error classes of ricciflow. Every error the library raises on purpose is a
 * {@link RicciflowError} with a stable `code` (for programs) and a message (for people);
 * `arg` names the offending argument or option when there is one.
 */
export class RicciflowError extends Error {
  code: string;
  arg?: string;

  constructor(code: string, message: string, arg?: string) {
    super(message);
    this.name = 'RicciflowError';
    this.code = code;
    if (arg !== undefined) this.arg = arg;
  }
}

/** A caller passed a value the API does not accept (wrong range, unknown name, …). */
export class InvalidArgumentError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super('ERR_INVALID_ARGUMENT', message, arg);
    this.name = 'InvalidArgumentError';
  }
}

/** Input data is malformed: bad file magic, bad header, truncated data, ragged rows… */
export class FormatError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super('ERR_FORMAT', message, arg);
    this.name = 'FormatError';
  }
}

/** A file or network operation failed (missing file, permission, HTTP error, aborted transfer). */
export class IoError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super('ERR_IO', message, arg);
    this.name = 'IoError';
  }
}

/** The operation was cancelled by the caller (AbortSignal). */
export class CancelledError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super('ERR_CANCELLED', message, arg);
    this.name = 'CancelledError';
  }
}

/** The native core reported a failure it could not map to a more precise class. */
export class NativeError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super('ERR_NATIVE', message, arg);
    this.name = 'NativeError';
  }
}
