/**
 * The server's one error table. Every error response is a JSON body `{ "code", "message" }` with
 * the status written here; OPA's codes are used where OPA has one, so OPA clients understand them.
 */
import { STATUS_CODES } from 'node:http';

export const ERRORS = {
  invalid_parameter: 400,
  request_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  undefined_document: 404,
  resource_not_found: 404,
  /** A write that does not fit the data or names a rule's document (OPA answers a write conflict with 404). */
  resource_conflict: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  request_header_fields_too_large: 431,
  not_ready: 503,
  internal_error: 500,
  eval_error: 500,
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of an error response (`errors` carries compiler diagnostics in OPA's shape). */
export interface ErrorBody {
  code: string;
  message: string;
  errors?: { code: string; message: string; location?: { file: string; row: number; col: number } }[];
}

/** An error that becomes a response: thrown from handlers, rendered by the app's error handler. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: ErrorBody['errors'];
  /** Seconds a client should wait before asking again (`Retry-After`), for a server too busy now. */
  retryAfterSeconds: number | undefined;
  constructor(code: ErrorCode, message: string, errors?: ErrorBody['errors']) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.status = ERRORS[code];
    this.errors = errors;
  }

  /** The same error, telling the client to ask again after `seconds`. */
  retryAfter(seconds: number): this {
    this.retryAfterSeconds = seconds;
    return this;
  }
  body(): ErrorBody {
    const b: ErrorBody = { code: this.code, message: this.message };
    if (this.errors && this.errors.length) b.errors = this.errors;
    return b;
  }
}

/** Maps fastify's own errors (body limit, parse failures, ...) onto the table. */
export function fromFastifyError(e: { code?: string; statusCode?: number; message: string }): HttpError {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new HttpError('request_too_large', 'request body is larger than the configured limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new HttpError('unsupported_media_type', 'unsupported content type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return new HttpError('invalid_parameter', e.message);
    default: break;
  }
  if (e.statusCode === 413) return new HttpError('request_too_large', 'request body is larger than the configured limit');
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return new HttpError('invalid_parameter', e.message);
  return new HttpError('internal_error', 'internal error');
}

/**
 * Requests Node's HTTP parser refuses before fastify sees them (an unknown method, a bad
 * `Content-Length`, headers past the size limit, a request that did not arrive in time) are
 * answered with the same `{ code, message }` body as every other error, then the connection is
 * closed: what follows on it cannot be trusted to start a request.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: { destroyed: boolean; writable: boolean; write(text: string): unknown; destroy(err?: Error): unknown }): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? new HttpError('request_timeout', 'the request did not arrive in time')
    : err.code === 'HPE_HEADER_OVERFLOW' ? new HttpError('request_header_fields_too_large', 'the request line and headers are larger than the server accepts')
    : new HttpError('invalid_parameter', `malformed HTTP request${err.code ? ` (${err.code})` : ''}`);
  const body = JSON.stringify(e.body());
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
