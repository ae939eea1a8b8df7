/**
 * Error classes of ricciflow. Every error the library raises on purpose is a
 * {@link RicciflowError} with a stable `code` (for programs) and a message (for people);
 * `arg` names the offending argument or option when there is one.
 *
 * Codes are spelled once, here ({@link ERROR_CODES}); so are the Node.js codes the package
 * reacts to ({@link NODE_CODES}). Compare with these constants or {@link codeOf}, never a literal.
 *
 * Errors from the native core: the addon is given these classes once, at load
 * (src/core/native.ts), and throws them itself: an invalid argument as {@link InvalidArgumentError},
 * a cancellation as {@link CancelledError}, a failed allocation as {@link OutOfMemoryError}, any
 * other native failure as {@link NativeError}. The message is the native one (a cancellation reads
 * "the computation was cancelled"), and `cause` keeps what the native side said, as a
 * {@link NativeCause}.
 */

/** The `code` of each ricciflow error class. */
export const ERROR_CODES = {
  invalidArgument: 'ERR_INVALID_ARGUMENT',
  format: 'ERR_FORMAT',
  io: 'ERR_IO',
  cancelled: 'ERR_CANCELLED',
  outOfMemory: 'ERR_OUT_OF_MEMORY',
  native: 'ERR_NATIVE',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** `cause` of every error the native addon throws: its own message and how it classified the failure. */
export interface NativeCause extends Error {
  kind: 'invalid-argument' | 'cancelled' | 'out-of-memory' | 'native';
}

/** Codes of Node.js errors the package handles: system errors (node:fs, process.kill) and parseArgs. */
export const NODE_CODES = {
  notFound: 'ENOENT',
  notDirectory: 'ENOTDIR',
  exists: 'EEXIST',
  notPermitted: 'EPERM',
  noSpace: 'ENOSPC',
  quotaExceeded: 'EDQUOT',
  /** Prefix of every `node:util` parseArgs error code (unknown option, missing value…). */
  parseArgsPrefix: 'ERR_PARSE_ARGS',
} as const;

/** The `code` of an error (ricciflow, Node.js system or parseArgs errors), or undefined. */
export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `err` is a `node:util` parseArgs usage error. */
export function isParseArgsError(err: unknown): err is Error {
  return err instanceof Error && (codeOf(err)?.startsWith(NODE_CODES.parseArgsPrefix) ?? false);
}

/** Base class of every error ricciflow raises on purpose. */
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
    super(ERROR_CODES.invalidArgument, message, arg);
    this.name = 'InvalidArgumentError';
  }
}

/** Input data is malformed: bad file magic, bad header, truncated data, ragged rows… */
export class FormatError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super(ERROR_CODES.format, message, arg);
    this.name = 'FormatError';
  }
}

/** A file or network operation failed (missing file, permission, HTTP error, aborted transfer). */
export class IoError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super(ERROR_CODES.io, message, arg);
    this.name = 'IoError';
  }
}

/** The operation was cancelled by the caller (AbortSignal). */
export class CancelledError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super(ERROR_CODES.cancelled, message, arg);
    this.name = 'CancelledError';
  }
}

/** The native core could not allocate the memory a computation needs. */
export class OutOfMemoryError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super(ERROR_CODES.outOfMemory, message, arg);
    this.name = 'OutOfMemoryError';
  }
}

/** The native core reported a failure it could not map to a more precise class. */
export class NativeError extends RicciflowError {
  constructor(message: string, arg?: string) {
    super(ERROR_CODES.native, message, arg);
    this.name = 'NativeError';
  }
}
