// Calls to the host's APIs from the browser, on this origin: the Lambda REST API, the JSON
// protocols (Step Functions, CloudWatch Logs and metrics) and the console's own reads.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || "";
  }
  // The service is not on this host (yet): an unknown operation or path.
  get missing() {
    return (this.status === 404 || this.status === 400) && (this.code === "" || /UnknownOperation/.test(this.code));
  }
}

// fetch, tried again (twice, briefly) when the request never got an answer: Chromium drops
// requests in flight when network interfaces change, as they do whenever Docker starts a container.
// Only for reads (retried is harmless): GETs and the JSON protocols' Get/List/Describe/Filter calls.
async function fetchRead(url, options = {}) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fetch(url, options);
    } catch (error) {
      if (attempt >= 2) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150 * (attempt + 1)));
    }
  }
}

const isRead = (method, target) => method === "GET" || /\.(Get|List|Describe|Filter)/.test(target || "");

async function failure(response) {
  let body = {};
  try { body = await response.json(); } catch { /* not JSON */ }
  const code = response.headers.get("x-amzn-errortype") || body.__type || body.Type || body.code || "";
  const message = body.message || body.Message || body.errorMessage || "";
  return new ApiError(response.status, code.split(":")[0].split("#").pop(), message);
}

// The Lambda REST API: JSON in, JSON out. Returns the parsed body (or null when empty).
export async function lambda(path, { method = "GET", body, headers = {} } = {}) {
  const response = await (isRead(method) ? fetchRead : fetch)(path, {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : (typeof body === "string" ? body : JSON.stringify(body)),
  });
  if (!response.ok) throw await failure(response);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

// Every page of a Lambda list operation (Marker / NextMarker).
export async function lambdaAll(path, key) {
  const items = [];
  let marker = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await lambda(marker ? `${path}${sep}Marker=${encodeURIComponent(marker)}` : path);
    items.push(...(page[key] || []));
    marker = page.NextMarker;
  } while (marker);
  return items;
}

// A JSON-protocol call: POST / with X-Amz-Target (AWS JSON 1.0 or 1.1).
export async function awsJson(target, body = {}, version = "1.0") {
  const response = await (isRead("POST", target) ? fetchRead : fetch)("/", {
    method: "POST",
    headers: { "X-Amz-Target": target, "Content-Type": `application/x-amz-json-${version}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  const text = await response.text();
  return text ? JSON.parse(text) : {};
}

export const sfn = (operation, body) => awsJson(`AWSStepFunctions.${operation}`, body, "1.0");
export const logs = (operation, body) => awsJson(`Logs_20140328.${operation}`, body, "1.1");
export const metricData = (body) => awsJson("GraniteServiceVersion20100801.GetMetricData", body, "1.0");

// The console's own reads (and the redrive action).
export async function consoleApi(path, { method = "GET", body } = {}) {
  const response = await (isRead(method) ? fetchRead : fetch)(`/_lambda-host/console/api/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return response.json();
}

// Saved test events and event templates (the events service of this host).
export async function hostApi(path, { method = "GET", body } = {}) {
  const response = await (isRead(method) ? fetchRead : fetch)(`/_lambda-host/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body,
  });
  if (!response.ok) throw await failure(response);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const functionPath = (name) => `/2015-03-31/functions/${encodeURIComponent(name)}`;
