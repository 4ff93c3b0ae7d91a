// Errors as AWS's Node.js runtime reports them: the wire body and the logged form.

export class LambdaRuntimeError extends Error {}

function runtimeError(name) {
  const cls = class extends LambdaRuntimeError {};
  Object.defineProperty(cls.prototype, 'name', { value: `Runtime.${name}`, writable: true });
  return cls;
}

export const ImportModuleError = runtimeError('ImportModuleError');
export const HandlerNotFound = runtimeError('HandlerNotFound');
export const MalformedHandlerName = runtimeError('MalformedHandlerName');
export const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
export const NodeJsExit = runtimeError('NodeJsExit');

export class UnhandledPromiseRejection extends LambdaRuntimeError {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
Object.defineProperty(UnhandledPromiseRejection.prototype, 'name', {
  value: 'Runtime.UnhandledPromiseRejection',
  writable: true,
});

function isErrorLike(error) {
  return (
    error instanceof Error ||
    (error && typeof error.name === 'string' && typeof error.message === 'string' && typeof error.stack === 'string')
  );
}

const sanitize = (text) => (typeof text === 'string' ? text.replace(/\x7F/g, '%7F') : text);

// The body posted to /error and /init/error: {errorType, errorMessage, trace}.
export function toRapidResponse(error) {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: sanitize(error.name),
        errorMessage: sanitize(error.message),
        trace: String(error.stack).split('\n').map(sanitize),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

export function intoError(value) {
  return value instanceof Error ? value : new Error(value);
}

function errorFields(error) {
  const plain = { errorType: error.name, errorMessage: error.message, code: error.code };
  for (const key of Object.keys(error)) plain[key] = error[key];
  plain.stack = typeof error.stack === 'string' ? error.stack.split('\n') : error.stack;
  if (plain.code === undefined) delete plain.code;
  return plain;
}

// The tab-led JSON a logged error is written as ("Invoke Error \t{...}").
export function toFormatted(error) {
  try {
    const nested = (key, value) => (key && value instanceof Error ? errorFields(value) : value);
    return '\t' + JSON.stringify(errorFields(error), nested);
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}
