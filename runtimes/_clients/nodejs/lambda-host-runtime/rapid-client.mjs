// A Runtime API client over one kept-alive connection (Node's http sets TCP_NODELAY).
import http from 'node:http';

import { toRapidResponse } from './errors.mjs';

// The response body for a handler's result; throws as AWS's client does when it cannot.
export function serializeResult(result) {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

export class RapidClient {
  constructor(address) {
    const [hostname, port] = address.split(':');
    this.hostname = hostname;
    this.port = parseInt(port, 10);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method, path, body, headers) {
    return new Promise((resolve, reject) => {
      const options = { hostname: this.hostname, port: this.port, method, path, agent: this.agent, headers };
      const req = http.request(options, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async nextInvocation() {
    const res = await this.request('GET', '/2018-06-01/runtime/invocation/next');
    if (res.status !== 200) {
      throw new Error(`Failed to get next invocation: ${res.status} ${res.body.toString()}`);
    }
    return { bodyJson: res.body.toString('utf8'), headers: res.headers };
  }

  post(path, body, extraHeaders = {}) {
    const data = Buffer.from(body, 'utf8');
    const headers = { 'Content-Type': 'application/json', 'Content-Length': data.length, ...extraHeaders };
    return this.request('POST', path, data, headers);
  }

  postInvocationResponse(body, id) {
    return this.post(`/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`, body);
  }

  postInvocationError(error, id) {
    const body = JSON.stringify(toRapidResponse(error));
    return this.post(`/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/error`, body);
  }

  postInitError(error) {
    const response = toRapidResponse(error);
    return this.post('/2018-06-01/runtime/init/error', JSON.stringify(response), {
      'Lambda-Runtime-Function-Error-Type': response.errorType,
    });
  }
}
