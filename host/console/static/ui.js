// Small helpers to build the console's DOM: elements, tables, badges, times.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "html") el.innerHTML = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A table: columns are [heading, cell(row) -> node|text, {num: true}?].
export function table(columns, rows, { empty = "Nothing here yet.", rowAttrs } = {}) {
  if (!rows.length) return h("div", { class: "table-wrap" }, h("div", { class: "empty" }, empty));
  return h("div", { class: "table-wrap" },
    h("table", {},
      h("thead", {}, h("tr", {}, columns.map(([title, , opts]) => h("th", { class: opts?.num ? "num" : null }, title)))),
      h("tbody", {}, rows.map((row) => h("tr", rowAttrs ? rowAttrs(row) : {},
        columns.map(([, cell, opts]) => h("td", { class: opts?.num ? "num" : opts?.class }, cell(row))))))));
}

const STATUS = {
  Active: "ok", SUCCEEDED: "ok", Enabled: "ok", OK: "ok", Successful: "ok", READY: "ok",
  Failed: "bad", FAILED: "bad", TIMED_OUT: "bad", ABORTED: "bad", Inactive: "warn", Disabled: "warn",
  Pending: "warn", InProgress: "warn", RUNNING: "busy", Enabling: "warn", Disabling: "warn", Creating: "warn",
  Updating: "warn", PENDING_REDRIVE: "warn", Unhandled: "bad", Handled: "bad",
};

export function badge(text, kind) {
  return h("span", { class: `badge ${kind || STATUS[text] || ""}` }, text);
}

export function card(title, ...content) {
  return h("section", { class: "card" }, title ? h("h2", {}, title) : null, ...content);
}

export function props(pairs) {
  return h("dl", { class: "props" }, pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}

export function note(text, kind = "") {
  return h("div", { class: `note ${kind}` }, text);
}

export function pretty(value) {
  if (typeof value === "string") {
    try { return JSON.stringify(JSON.parse(value), null, 2); } catch { return value; }
  }
  return JSON.stringify(value, null, 2);
}

// Seconds since the epoch, a Date, an ISO string or milliseconds -> Date.
export function toDate(value) {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value > 1e11 ? value : value * 1000);
  return new Date(value);
}

export function when(value) {
  if (value === undefined || value === null || value === "") return "—";
  const date = toDate(value);
  if (isNaN(date)) return String(value);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

// How long ago: "just now", "5 min ago", "3 h ago", "2 days ago".
export function ago(value) {
  const seconds = (Date.now() - toDate(value)) / 1000;
  if (isNaN(seconds)) return "—";
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} days ago`;
}

export function clock(value) {
  const date = toDate(value);
  return date.toLocaleTimeString([], { hour12: false }) + "." + String(date.getMilliseconds()).padStart(3, "0");
}

export function duration(seconds) {
  if (seconds === undefined || seconds === null) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

// A compact duration for small tiles: 550ms, 4.9s, 2m15s, 1h05m.
export function brief(seconds) {
  if (seconds === undefined || seconds === null) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

export function link(href, text) {
  return h("a", { href, "data-link": "" }, text);
}

export function shortArn(arn) {
  return String(arn || "").split(":").slice(5).join(":") || arn;
}

// A <select> of options [value, label]; calls onchange(value).
export function select(options, current, onchange, attrs = {}) {
  return h("select", { ...attrs, onchange: (e) => onchange(e.target.value) },
    options.map(([value, label]) => h("option", { value, selected: value === current }, label ?? value)));
}

export function pageHeader(title, subtitle, ...actions) {
  return h("div", { class: "header" },
    h("div", {}, h("h1", {}, title), subtitle ? h("p", { class: "subtitle" }, subtitle) : null),
    actions.length ? h("div", { class: "actions" }, actions) : null);
}

// Open another console page (as a click on a link would).
export function go(href) {
  history.pushState(null, "", href);
  window.dispatchEvent(new PopStateEvent("popstate"));
}
