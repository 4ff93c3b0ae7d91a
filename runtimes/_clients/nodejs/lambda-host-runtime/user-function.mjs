// Loading the handler named by _HANDLER ("dir/file.path.to.fn"), with AWS's errors.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError } from './errors.mjs';

// Resolution errors name the runtime's entry point as the requiring module, as on AWS.
const require = createRequire('/var/runtime/index.mjs');

function splitHandler(fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) {
    throw new MalformedHandlerName('Bad handler');
  }
  return { moduleRoot, module: match[1], handlerPath: match[2] };
}

function isEsmPackage(file) {
  let dir = path.dirname(file);
  while (!dir.endsWith('/node_modules') && dir !== '/') {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
      } catch (err) {
        console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, err);
        return false;
      }
    }
    dir = path.dirname(dir);
  }
  return false;
}

async function loadModule(appRoot, moduleRoot, module) {
  const base = path.resolve(appRoot, moduleRoot, module);
  if (fs.existsSync(base)) {
    return require(base);
  }
  if (fs.existsSync(`${base}.js`)) {
    if (!isEsmPackage(`${base}.js`)) {
      return require(`${base}.js`);
    }
    return import(pathToFileURL(`${base}.js`).href);
  }
  if (fs.existsSync(`${base}.mjs`)) {
    return import(pathToFileURL(`${base}.mjs`).href);
  }
  if (fs.existsSync(`${base}.cjs`)) {
    return require(`${base}.cjs`);
  }
  return require(require.resolve(module, { paths: [appRoot, path.resolve(appRoot, moduleRoot)] }));
}

export async function loadUserFunction(appRoot, fullHandler) {
  const { moduleRoot, module, handlerPath } = splitHandler(fullHandler);
  let userModule;
  try {
    userModule = await loadModule(appRoot, moduleRoot, module);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new UserCodeSyntaxError(String(err));
    }
    if (err && err.code === 'MODULE_NOT_FOUND') {
      throw new ImportModuleError(String(err));
    }
    throw err;
  }
  const handler = handlerPath.split('.').reduce((obj, key) => obj && obj[key], userModule);
  if (!handler) {
    throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new HandlerNotFound(`${fullHandler} is not a function`);
  }
  return handler;
}
