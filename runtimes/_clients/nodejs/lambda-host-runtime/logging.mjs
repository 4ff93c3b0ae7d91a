// console.* as AWS's Node.js runtime patches it: "<ISO time>\t<request id>\t<LEVEL>\t<message>",
// newlines turned into carriage returns so one record stays one line.
// With AWS_LAMBDA_LOG_FORMAT=JSON each call is one JSON record instead,
// {"timestamp", "level", "requestId", "message"} (plus errorType, errorMessage and stackTrace
// when an Error is logged), and calls below AWS_LAMBDA_LOG_LEVEL write nothing.
import util from 'node:util';

import { intoError, toFormatted } from './errors.mjs';

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
// Read when the console is patched, not at import: a stem's runtime is imported before its function's variables come.
let JSON_FORMAT = false;
let requestId = undefined;

export function setRequestId(id) {
  requestId = id;
}

function jsonRecord(level, message, params) {
  const record = { timestamp: new Date().toISOString(), level, requestId };
  const all = [message, ...params];
  if (all.length === 1 && !(message instanceof Error)) {
    record.message = message;
    try {
      return JSON.stringify(record);
    } catch {
      // a value JSON cannot write (a cycle, a BigInt): shown as util.format shows it
    }
  }
  record.message = util.format(...all);
  const error = all.find((value) => value instanceof Error);
  if (error) {
    record.errorType = error?.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

function write(level, message, params) {
  if (JSON_FORMAT) {
    process.stdout.write(jsonRecord(level, message, params) + '\n');
    return;
  }
  const line = `${new Date().toISOString()}\t${requestId}\t${level}\t${util.format(message, ...params)}`;
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

export function patchConsole() {
  JSON_FORMAT = String(process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
  const threshold = LEVELS[String(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] ?? LEVELS.TRACE;
  const method = (level) =>
    LEVELS[level] >= threshold || level === 'FATAL' ? (message, ...params) => write(level, message, params) : () => {};
  console.trace = method('TRACE');
  console.debug = method('DEBUG');
  console.info = method('INFO');
  console.log = console.info;
  console.warn = method('WARN');
  console.error = method('ERROR');
  console.fatal = method('FATAL');
}

export function logError(label, error) {
  if (JSON_FORMAT) {
    console.error(label, intoError(error));
    return;
  }
  console.error(label, toFormatted(intoError(error)));
}
