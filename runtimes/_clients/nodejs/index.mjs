// Entry point of the Node.js runtime, as /var/runtime/index.mjs is in AWS's image.
import { awaitFunction } from './lambda-host-runtime/prestart.mjs';
import { run } from './lambda-host-runtime/run.mjs';

awaitFunction(); // a stem's runtime, started ahead of its function, waits here for it
await run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
