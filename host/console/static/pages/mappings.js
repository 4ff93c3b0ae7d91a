// Event source mappings: state, last processing result, batch sizes and lag.
import { lambdaAll } from "../api.js";
import { LAMBDA, fetchSeries, query } from "../metrics.js";
import { badge, clear, h, link, pageHeader, shortArn, table, when } from "../ui.js";

export async function mappingsPage(main, _params, ctx) {
  const body = h("div");
  main.append(pageHeader("Event source mappings", "Queues and streams polled for functions (ListEventSourceMappings)."), body);
  ctx.every(3000, async () => {
    const mappings = await lambdaAll("/2015-03-31/event-source-mappings/", "EventSourceMappings");
    const ages = await iteratorAges(mappings);
    clear(body, table([
      ["Source", (m) => h("span", { class: "mono", title: m.EventSourceArn }, shortArn(m.EventSourceArn))],
      ["Function", (m) => {
        const fn = m.FunctionArn.split(":")[6];
        return link(`/console/functions/${encodeURIComponent(fn)}`, m.FunctionArn.split(":").slice(6).join(":"));
      }],
      ["State", (m) => badge(m.State)],
      ["Last processing result", (m) => {
        const r = m.LastProcessingResult || "No records processed";
        return badge(r, r === "OK" ? "ok" : /PROBLEM|FAIL/i.test(r) ? "bad" : "");
      }],
      ["Batch size", (m) => m.BatchSize ?? "—", { num: true }],
      ["Batching window", (m) => (m.MaximumBatchingWindowInSeconds !== undefined ? `${m.MaximumBatchingWindowInSeconds} s` : "—"), { num: true }],
      ["Starting position", (m) => m.StartingPosition || "—"],
      ["Lag", (m) => lag(m, ages), { num: true }],
      ["Last modified", (m) => when(m.LastModified)],
      ["UUID", (m) => h("span", { class: "mono muted" }, m.UUID.slice(0, 8))],
    ], mappings, { empty: "No event source mappings." }));
  });
}

// The latest IteratorAge (AWS/Lambda, per function) of each function a stream mapping feeds: how far
// behind the stream's newest record its batches are. Queues have no iterator, so no lag.
async function iteratorAges(mappings) {
  const functions = [...new Set(mappings.filter((m) => m.StartingPosition).map((m) => m.FunctionArn.split(":")[6]))];
  if (!functions.length) return {};
  const now = Math.floor(Date.now() / 1000);
  try {
    const series = await fetchSeries(functions.map((fn, i) => query(`a${i}`, LAMBDA, "IteratorAge", "Maximum",
      { FunctionName: fn }, 60)), now - 600, now + 60);
    return Object.fromEntries(functions.map((fn, i) => [fn, (series[`a${i}`] || []).at(-1)?.[1]]));
  } catch {
    return {}; // metrics not served here: no lag shown
  }
}

function lag(m, ages) {
  const age = m.StartingPosition ? ages[m.FunctionArn.split(":")[6]] : undefined;
  return age === undefined ? h("span", { class: "muted" }, "—") : `${(age / 1000).toFixed(1)} s`;
}
