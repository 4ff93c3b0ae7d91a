// Response streaming, as AWS's Node.js runtime offers it:
// 1. `awslambda.streamifyResponse(handler)` marks a handler `(event, responseStream, context)`;
// 2. its responseStream is a Writable whose bytes go to the Runtime API as they are written:
//    POST /response with `Lambda-Runtime-Function-Response-Mode: streaming`, chunked;
// 3. an error once the stream has begun travels as the trailers
//    `Lambda-Runtime-Function-Error-Type` and `Lambda-Runtime-Function-Error-Body` (base64 JSON);
// 4. `awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})` writes, before the
//    first byte of the body, the JSON prelude and 8 NUL bytes a function URL reads its status from.
import http from 'node:http';
import { Writable } from 'node:stream';

import { toRapidResponse } from './errors.mjs';

export const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';

export class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude); // JSON never holds a NUL byte: the delimiter stays unambiguous
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(8));
    };
    return underlyingStream;
  }
}

export function installGlobal() {
  const off = String(process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA || '').toLowerCase();
  if (off === '1' || off === 'true') return;
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') handler[HIGH_WATER_MARK] = parseInt(options.highWaterMark, 10);
      return handler;
    },
    HttpResponseStream,
  };
}

export function isStreaming(handler) {
  const mark = handler[STREAMING];
  if (mark === undefined || mark === null || mark === false) return false;
  if (mark !== STREAM_RESPONSE) throw new Error('Only response streaming is supported.');
  return true;
}

export function highWaterMark(handler) {
  const value = handler[HIGH_WATER_MARK];
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

// The handler's responseStream. The request to the Runtime API starts with the first byte (or the end),
// so a handler that fails before writing anything is answered through /error as a buffered one is.
export class ResponseStream extends Writable {
  constructor(client, id, options = {}) {
    super({ highWaterMark: options.highWaterMark });
    this.client = client;
    this.id = id;
    this.contentType = DEFAULT_CONTENT_TYPE;
    this.request = null;
    this.failed = null;
    this._onBeforeFirstWrite = undefined;
    this.done = new Promise((resolve) => {
      this._resolveDone = resolve;
    });
  }

  get started() {
    return this.request !== null;
  }

  setContentType(contentType) {
    if (this.started) throw new Error('Cannot set content-type, too late.');
    this.contentType = contentType;
  }

  write(chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)) {
      chunk = JSON.stringify(chunk);
    }
    return super.write(chunk, encoding, callback);
  }

  _open() {
    const client = this.client;
    const headers = {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Transfer-Encoding': 'chunked',
      Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
      'Content-Type': this.contentType,
    };
    const path = `/2018-06-01/runtime/invocation/${encodeURIComponent(this.id)}/response`;
    const options = { hostname: client.hostname, port: client.port, method: 'POST', path, agent: client.agent, headers };
    this.request = http.request(options, (res) => {
      res.resume();
      res.on('end', () => this._resolveDone({ status: res.statusCode }));
      res.on('error', (error) => this._resolveDone({ error }));
    });
    this.request.on('error', (error) => this._resolveDone({ error }));
    this.request.setNoDelay?.(true);
    const before = this._onBeforeFirstWrite;
    if (typeof before === 'function') before((piece) => this.request.write(piece));
  }

  _write(chunk, encoding, callback) {
    if (!this.started) this._open();
    this.request.write(chunk, encoding, (error) => callback(error || null));
  }

  _final(callback) {
    if (!this.started) this._open();
    if (this.failed) this.request.addTrailers(trailersOf(this.failed));
    this.request.end(() => callback());
  }

  _destroy(error, callback) {
    // A pipeline that fails destroys its destination: report the error rather than cut the response short.
    if (error && !this.writableFinished && !this.failed) {
      this.failed = error;
      if (!this.started) this._open();
      this.request.addTrailers(trailersOf(error));
      this.request.end();
    }
    callback(error);
  }

  // End the stream with `error` as its trailers (nothing happens once it is already complete).
  fail(error) {
    if (this.failed || this.writableFinished) return false;
    this.failed = error;
    if (this.writableEnded) return false;
    this.end();
    return true;
  }
}

function trailersOf(error) {
  const response = toRapidResponse(error);
  return {
    [ERROR_TYPE_TRAILER]: response.errorType,
    [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(response)).toString('base64'),
  };
}
