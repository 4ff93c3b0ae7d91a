// A runtime started ahead of its function: a stem's (see the host's core/prestart.py).
// The agent starts Node.js with the runtime's default variables and a pipe on the fd that
// _LAMBDA_HOST_RESUME_FD names; the runtime client's modules load, then it waits here. When a
// function is assigned the agent writes its working directory and variables (NUL-separated
// cwd, NAME=value...) and closes the pipe, and the runtime goes on as one started with them.
import fs from 'node:fs';

export function awaitFunction() {
  const variable = process.env._LAMBDA_HOST_RESUME_FD;
  if (variable === undefined) return; // started for its function already
  const fd = Number(variable);
  const chunks = [];
  const buffer = Buffer.alloc(65536);
  for (;;) {
    const read = fs.readSync(fd, buffer, 0, buffer.length, null);
    if (read === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  fs.closeSync(fd);
  const [cwd, ...variables] = Buffer.concat(chunks).toString('utf8').split('\0');
  if (!cwd) process.exit(0); // the agent dropped it: its function starts a runtime afresh
  for (const name of Object.keys(process.env)) delete process.env[name];
  for (const item of variables) {
    const at = item.indexOf('=');
    if (at > 0) process.env[item.slice(0, at)] = item.slice(at + 1);
  }
  process.chdir(cwd);
}
