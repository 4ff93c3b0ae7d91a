// The Node.js runtime loop, with AWS's semantics:
// 1. the handler module is loaded before the first /next; a failure is posted to
//    /runtime/init/error and the process exits with status 129;
// 2. an async handler's promise is answered as soon as it settles;
// 3. a callback is answered when the event loop drains, unless
//    context.callbackWaitsForEmptyEventLoop is false;
// 4. a handler that neither returns a promise nor calls back answers null once the
//    event loop drains (an async one that never settles gets Runtime.NodeJsExit);
// 5. an uncaught exception or unhandled rejection fails the current invocation and
//    ends the process (status 129 or 128);
// 6. a handler wrapped in awslambda.streamifyResponse gets a response stream instead of a
//    callback (streaming.mjs); its answer is complete when it has ended the stream and settled.
import { NodeJsExit, UnhandledPromiseRejection } from './errors.mjs';
import { logError, patchConsole, setRequestId } from './logging.mjs';
import { RapidClient, serializeResult } from './rapid-client.mjs';
import { ResponseStream, highWaterMark, installGlobal, isStreaming } from './streaming.mjs';
import { loadUserFunction } from './user-function.mjs';

const NODEJS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes';

// What to do when the event loop drains: answer a waiting callback, or the default.
const beforeExit = {
  listener: () => {},
  set(fn) {
    this.listener = fn;
  },
  reset() {
    this.listener = () => {};
  },
  invoke() {
    beforeExit.listener();
  },
};

function waitForStdout() {
  if (process.stdout.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

function headerJson(headers, name, what) {
  // Node reads header bytes as Latin-1; the host sends UTF-8.
  const value = headers[name] && Buffer.from(headers[name], 'latin1').toString('utf8');
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${what} as json: ${err.toString()}`);
  }
}

class Invocation {
  constructor(runtime, headers) {
    this.runtime = runtime;
    this.client = runtime.client;
    this.id = headers['lambda-runtime-aws-request-id'];
    this.headers = headers;
    this.done = false;
    this.waitForEmptyEventLoop = true;
  }

  async report(post) {
    if (this.done) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    this.done = true;
    beforeExit.reset();
    await waitForStdout();
    await post();
    if (this.runtime.current === this) this.runtime.current = null;
    this.runtime.scheduleNext();
  }

  succeed(result) {
    let body;
    try {
      body = serializeResult(result);
    } catch (err) {
      return this.fail(err);
    }
    return this.report(() => this.client.postInvocationResponse(body, this.id));
  }

  fail(err) {
    const error = err === undefined || err === null ? 'handled' : err;
    if (this.stream?.started) return this.failStream(error);
    return this.report(() => {
      logError('Invoke Error', error);
      return this.client.postInvocationError(error, this.id);
    });
  }

  // A streamed answer already under way ends with the error as its trailers.
  failStream(error) {
    return this.report(() => {
      logError('Invoke Error', error);
      this.stream.fail(error);
      return this.stream.done;
    });
  }

  // A streaming handler settled: its answer is the stream, which it must have ended.
  async streamed() {
    const stream = this.stream;
    if (!stream.writableEnded) return this.fail(new Error('Response stream is not finished.'));
    return this.report(() => stream.done);
  }

  callback() {
    return (err, result) => {
      beforeExit.reset();
      if (err !== undefined && err !== null) {
        this.fail(err);
      } else if (!this.waitForEmptyEventLoop) {
        this.succeed(result);
      } else {
        beforeExit.set(() => setImmediate(() => this.succeed(result)));
      }
    };
  }

  context() {
    const invocation = this;
    const env = process.env;
    const deadline = Number(this.headers['lambda-runtime-deadline-ms'] || 0);
    const context = {
      get callbackWaitsForEmptyEventLoop() {
        return invocation.waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value) {
        invocation.waitForEmptyEventLoop = value;
      },
      succeed: (result) => invocation.succeed(result),
      fail: (err) => invocation.fail(err),
      done: (err, result) =>
        err === undefined || err === null ? context.succeed(result) : invocation.fail(err),
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: headerJson(this.headers, 'lambda-runtime-client-context', 'ClientContext'),
      identity: headerJson(this.headers, 'lambda-runtime-cognito-identity', 'CognitoIdentity'),
      invokedFunctionArn: this.headers['lambda-runtime-invoked-function-arn'],
      awsRequestId: this.id,
      tenantId: this.headers['lambda-runtime-aws-tenant-id'],
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    return context;
  }
}

class Runtime {
  constructor(client, handler) {
    this.client = client;
    this.handler = handler;
    this.streaming = isStreaming(handler);
    this.highWaterMark = highWaterMark(handler);
    this.current = null;
  }

  scheduleNext() {
    setImmediate(() => {
      this.handleOnce().catch((err) => {
        console.log(`Unexpected Top Level Error: ${err.toString()}`);
        this.onFatal(err, 129);
      });
    });
  }

  // An error nothing else caught: fail the current invocation (or init) and exit.
  // Between invocations (a stray timer's error) there is nobody to tell; the process just ends.
  onFatal(error, exitCode) {
    if (!this.current) {
      process.exit(exitCode);
    }
    const stream = this.current.stream;
    if (stream?.started) {
      stream.fail(error);
      stream.done.finally(() => process.exit(exitCode));
      return;
    }
    this.client.postInvocationError(error, this.current.id).finally(() => process.exit(exitCode));
  }

  async handleOnce() {
    const { bodyJson, headers } = await this.client.nextInvocation();
    const invocation = new Invocation(this, headers);
    this.current = invocation;
    setRequestId(invocation.id);
    if (headers['lambda-runtime-trace-id']) {
      process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    } else {
      delete process.env._X_AMZN_TRACE_ID;
    }
    if (this.streaming) {
      this.runStreaming(invocation, bodyJson);
      return;
    }
    const isAsync = this.handler.constructor.name === 'AsyncFunction';
    beforeExit.set(() => {
      if (isAsync) {
        invocation.fail(new NodeJsExit(NODEJS_EXIT_MESSAGE));
      } else {
        invocation.succeed(null);
      }
    });
    const callback = invocation.callback();
    try {
      const result = this.handler(JSON.parse(bodyJson), invocation.context(), callback);
      if (result && typeof result.then === 'function') {
        result.then(
          (value) => invocation.succeed(value),
          (err) => invocation.fail(err),
        );
      }
    } catch (err) {
      callback(err);
    }
  }

  runStreaming(invocation, bodyJson) {
    const stream = new ResponseStream(this.client, invocation.id, { highWaterMark: this.highWaterMark });
    invocation.stream = stream;
    // The event loop drained with the handler's promise still pending: it can never settle.
    beforeExit.set(() => invocation.fail(new NodeJsExit(NODEJS_EXIT_MESSAGE)));
    // A streaming handler's context has no succeed/fail/done: its answer is the stream.
    const context = invocation.context();
    delete context.succeed;
    delete context.fail;
    delete context.done;
    let result;
    try {
      result = this.handler(JSON.parse(bodyJson), stream, context);
    } catch (err) {
      invocation.fail(err);
      return;
    }
    if (!result || typeof result.then !== 'function') {
      invocation.fail('Streaming does not support non-async handlers.');
      return;
    }
    result.then(
      (value) => {
        if (value !== undefined) console.warn('Streaming handlers ignore return values.');
        return invocation.streamed();
      },
      (err) => invocation.fail(err),
    );
  }
}

export async function run(appRoot, handlerString) {
  const client = new RapidClient(process.env.AWS_LAMBDA_RUNTIME_API);
  patchConsole();
  let runtime = null;
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    if (runtime) runtime.onFatal(error, 129);
    else client.postInitError(error).finally(() => process.exit(129));
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason?.toString(), promise);
    logError('Unhandled Promise Rejection', error);
    if (runtime) runtime.onFatal(error, 128);
    else client.postInitError(error).finally(() => process.exit(128));
  });
  process.on('beforeExit', beforeExit.invoke);

  let handler;
  try {
    installGlobal();
    handler = await loadUserFunction(appRoot, handlerString);
    isStreaming(handler); // a malformed streaming mark fails init, as on AWS
  } catch (error) {
    logError('Uncaught Exception', error);
    await client.postInitError(error).catch(() => {});
    process.exit(129);
  }
  runtime = new Runtime(client, handler);
  runtime.scheduleNext();
}
