// Logs: a live tail of a function's log group (CloudWatch Logs FilterLogEvents), filterable.
import { ApiError, logs } from "../api.js";
import { clear, clock, h, note, pageHeader } from "../ui.js";
import { functionPicker } from "./common.js";

const MAX_ROWS = 2000;
const PLATFORM = /^(START|END|REPORT|INIT_START|EXTENSION|TELEMETRY) /;

export async function logsPage(main, [name], ctx, search) {
  const [picker, fn] = await functionPicker("/console/logs", name);
  main.append(pageHeader("Logs", "A live tail of the function's log group, read with CloudWatch Logs FilterLogEvents."));
  if (!fn) { main.append(note("No functions yet.", "info")); return; }
  const group = `/aws/lambda/${fn}`;
  const pattern = h("input", { id: "filter", placeholder: "filter pattern, e.g. ERROR or \"order 42\"", value: search.get("filter") || "", style: "width:320px" });
  const live = h("input", { type: "checkbox", id: "live", checked: true });
  const status = h("div");
  const rows = h("tbody", { id: "log-rows" });
  const box = h("div", { class: "log-box" }, h("table", { class: "log-table" }, rows));
  const count = h("span", { class: "muted", style: "font-size:12px" });
  main.append(
    h("div", { class: "toolbar" }, picker,
      h("label", { class: "field" }, "Filter pattern", pattern),
      h("label", { class: "field" }, "Live", h("span", {}, live, " follow")),
      h("button", { onclick: () => restart() }, "Apply"), count),
    status,
    h("div", { class: "table-wrap" }, h("div", { class: "empty", id: "log-empty" }, "Waiting for log events…"), box));
  pattern.addEventListener("keydown", (e) => { if (e.key === "Enter") restart(); });

  let seen = new Set();
  let since = Date.now() - 30 * 60 * 1000;
  let shown = 0;

  function restart() {
    seen = new Set();
    since = Date.now() - 30 * 60 * 1000;
    shown = 0;
    rows.replaceChildren();
    poll();
  }

  async function poll() {
    const events = [];
    let token;
    try {
      do {
        const body = { logGroupName: group, startTime: since, interleaved: true, limit: 1000 };
        if (pattern.value.trim()) body.filterPattern = pattern.value.trim();
        if (token) body.nextToken = token;
        const page = await logs("FilterLogEvents", body);
        events.push(...(page.events || []));
        token = page.nextToken;
      } while (token);
      clear(status);
    } catch (error) {
      if (error instanceof ApiError && error.code === "ResourceNotFoundException") {
        clear(status, note(`No log group ${group} yet: invoke the function to create it.`, "info"));
      } else {
        clear(status, note(error instanceof ApiError && error.missing
          ? "CloudWatch Logs is not served by this host yet." : `Logs unavailable: ${error.message}`));
      }
      return;
    }
    const stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
    for (const event of events.sort((a, b) => a.timestamp - b.timestamp)) {
      const key = event.eventId || `${event.logStreamName}/${event.timestamp}/${event.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      since = Math.max(since, event.timestamp);
      const message = event.message.replace(/\n$/, "");
      const kind = PLATFORM.test(message) ? "platform" : /error|exception|traceback/i.test(message) ? "error" : "";
      rows.append(h("tr", { class: kind },
        h("td", { class: "when" }, clock(event.timestamp)),
        h("td", { class: "when", title: event.logStreamName }, (event.logStreamName || "").split("]").pop().slice(0, 8)),
        h("td", { class: "msg" }, message)));
      shown += 1;
    }
    while (rows.childElementCount > MAX_ROWS) rows.firstElementChild.remove();
    document.getElementById("log-empty")?.toggleAttribute("hidden", shown > 0);
    count.textContent = `${shown} event${shown === 1 ? "" : "s"}`;
    if (stick) box.scrollTop = box.scrollHeight;
  }

  ctx.every(1000, async () => { if (live.checked) await poll(); });
}
