// One root error for Loci with stable ERR_LISP_* codes (documented in docs/errors.md).
// Decoders throw only LispDecodeError; decodeMessage() turns it into a returned value.

/** Every stable error code; docs/errors.md describes each one. */
export const LISP_ERROR_CODES = [
  'ERR_LISP_TRUNCATED',
  'ERR_LISP_UNKNOWN_TYPE',
  'ERR_LISP_UNKNOWN_AFI',
  'ERR_LISP_BAD_LENGTH',
  'ERR_LISP_BAD_LCAF',
  'ERR_LISP_BAD_FIELD',
  'ERR_LISP_TRAILING_BYTES',
  'ERR_LISP_TOO_DEEP',
  'ERR_LISP_ENCODE',
  'ERR_LISP_AUTH',
  'ERR_LISP_CAPTURE',
  'ERR_LISP_CONFIG',
  'ERR_LISP_NOT_FOUND',
  'ERR_LISP_ROLE',
  'ERR_LISP_INVALID',
  'ERR_LISP_INTERNAL',
  'ERR_LISP_IN_USE',
  'ERR_LISP_SYSTEM',
] as const;

export type LispErrorCode = (typeof LISP_ERROR_CODES)[number];

export class LispError extends Error {
  readonly code: LispErrorCode;
  constructor(code: LispErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LispError';
    this.code = code;
  }
}

/** A byte string that is not a valid LISP message: where, in which message type, and why. */
export class LispDecodeError extends LispError {
  /** LISP message type (0-15) being decoded when the error occurred, or -1 for the data-plane header. */
  readonly messageType: number;
  /** Byte offset, from the start of the buffer handed to the decoder, where decoding failed. */
  readonly offset: number;
  constructor(code: LispErrorCode, message: string, messageType: number, offset: number) {
    super(code, `${message} (type ${messageType}, offset ${offset})`);
    this.name = 'LispDecodeError';
    this.messageType = messageType;
    this.offset = offset;
  }
}
