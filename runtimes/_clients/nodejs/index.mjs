// Entry point of the Node.js runtime, as /var/runtime/index.mjs is in AWS's image.
import { run } from './lambda-host-runtime/run.mjs';

await run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
