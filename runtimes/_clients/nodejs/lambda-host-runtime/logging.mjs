// console.* as AWS's Node.js runtime patches it: "<ISO time>\t<request id>\t<LEVEL>\t<message>",
// newlines turned into carriage returns so one record stays one line.
import util from 'node:util';

import { intoError, toFormatted } from './errors.mjs';

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
let requestId = undefined;

export function setRequestId(id) {
  requestId = id;
}

function write(level, message, params) {
  const line = `${new Date().toISOString()}\t${requestId}\t${level}\t${util.format(message, ...params)}`;
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

export function patchConsole() {
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
  console.error(label, toFormatted(intoError(error)));
}
