/**
 * Reads a request body as text: at most `maxBytes` received, the received length checked against
 * `Content-Length`, and `Content-Encoding: gzip` inflated as it arrives and stopped at `maxBytes`
 * inflated (a small compressed body can inflate to gigabytes). pol reads bodies itself rather than
 * through fastify: inflating in a `preParsing` hook made every request pay for the hook (about
 * 3% of cached `/v1/decide`'s throughput), and fastify copies bodies it reads as buffers.
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { HttpError } from './errors.js';

export function readBodyText(headers: IncomingMessage['headers'], payload: IncomingMessage, maxBytes: number, done: (err: Error | null, text?: string) => void): void {
  const declared = Number(headers['content-length']);
  if (declared > maxBytes) { done(tooLarge()); return; }
  const header = headers['content-encoding'];
  if (header === undefined) { readPlain(payload, declared, maxBytes, done); return; }
  const enc = String(header).trim().toLowerCase();
  if (enc === '' || enc === 'identity') readPlain(payload, declared, maxBytes, done);
  else if (enc === 'gzip') readGzip(payload, declared, maxBytes, done);
  else done(new HttpError('unsupported_media_type', `unsupported content encoding \`${enc.slice(0, 40)}\` (use gzip or none)`));
}

/** The common case, kept to three listeners. */
function readPlain(payload: IncomingMessage, declared: number, maxBytes: number, done: (err: Error | null, text?: string) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = (err: Error | null): void => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    if (err) done(err);
    else done(null, chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8'));
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > maxBytes) stop(tooLarge());
    else chunks.push(chunk);
  };
  const onEnd = (): void => { stop(!Number.isNaN(declared) && received !== declared ? lengthMismatch() : null); };
  const onError = (err: Error): void => { stop(unreadable(err)); };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}

/** Inflated as it arrives; the limit applies to the bytes received and to the inflated ones. */
function readGzip(payload: IncomingMessage, declared: number, maxBytes: number, done: (err: Error | null, text?: string) => void): void {
  const chunks: Buffer[] = [];
  let received = 0, length = 0, finished = false;
  const gunzip = createGunzip();
  const finish = (err: Error | null): void => {
    if (finished) return;
    finished = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    if (err) { gunzip.destroy(); done(err); return; }
    done(null, chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, length).toString('utf8'));
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > maxBytes) finish(tooLarge());
    else gunzip.write(chunk);
  };
  const onEnd = (): void => {
    if (!Number.isNaN(declared) && received !== declared) finish(lengthMismatch());
    else gunzip.end();
  };
  const onError = (err: Error): void => { finish(unreadable(err)); };
  gunzip.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length > maxBytes) finish(new HttpError('request_too_large', 'decompressed request body is larger than the configured limit'));
    else chunks.push(chunk);
  });
  gunzip.on('end', () => finish(null));
  gunzip.on('error', err => finish(new HttpError('invalid_parameter', `request body is not valid gzip (${err.message})`)));
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}

/**
 * Reads a body to its end and throws it away, for routes that never use one: nothing is kept, so
 * no limit applies (the request timeout bounds how long it may take).
 */
export function discardBody(payload: IncomingMessage, done: (err: Error | null) => void): void {
  const finish = (err: Error | null): void => {
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    done(err);
  };
  const onEnd = (): void => finish(null);
  const onError = (err: Error): void => finish(unreadable(err));
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}

function lengthMismatch(): HttpError {
  return new HttpError('invalid_parameter', 'request body size did not match Content-Length');
}

function unreadable(err: Error): HttpError {
  return new HttpError('invalid_parameter', `request body could not be read (${err.message})`);
}

function tooLarge(): HttpError {
  return new HttpError('request_too_large', 'request body is larger than the configured limit');
}
