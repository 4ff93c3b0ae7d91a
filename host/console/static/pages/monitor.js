// Monitor: a function's metrics over time (CloudWatch GetMetricData), the async queue and the
// undeliverable records with their redrive.
import { ApiError, consoleApi } from "../api.js";
import { HOST, LAMBDA, fetchSeries, query } from "../metrics.js";
import { lineChart } from "../plot.js";
import { badge, card, clear, duration, h, note, pageHeader, select, shortArn, table, when } from "../ui.js";
import { functionPicker } from "./common.js";

const RANGES = [["900", "Last 15 minutes"], ["3600", "Last hour"], ["10800", "Last 3 hours"], ["86400", "Last day"]];

const CHARTS = [
  { id: "invocations", title: "Invocations, errors and throttles", unit: "count", lines: [
    ["Invocations", LAMBDA, "Invocations", "Sum"], ["Errors", LAMBDA, "Errors", "Sum"], ["Throttles", LAMBDA, "Throttles", "Sum"]] },
  { id: "duration", title: "Duration", unit: "ms", lines: [
    ["p50", LAMBDA, "Duration", "p50"], ["p90", LAMBDA, "Duration", "p90"], ["p99", LAMBDA, "Duration", "p99"]] },
  { id: "concurrency", title: "Concurrent executions", unit: "count", lines: [
    ["Maximum", LAMBDA, "ConcurrentExecutions", "Maximum"]] },
  { id: "coldstarts", title: "Cold starts", unit: "count", lines: [["Cold starts", HOST, "ColdStarts", "Sum"]] },
];

export async function monitorPage(main, [name], ctx, search) {
  const [picker, fn] = await functionPicker("/console/monitor", name);
  const range = search.get("range") || "900";
  main.append(pageHeader("Monitor", "Metrics over time, read from CloudWatch GetMetricData on this host."),
    h("div", { class: "toolbar" }, picker,
      h("label", { class: "field" }, "Period", select(RANGES, range, (value) => {
        const url = new URL(location.href);
        url.searchParams.set("range", value);
        history.replaceState(null, "", url);
        drawCharts();
      }, { id: "range" }))));
  const status = h("div");
  const charts = h("div", { class: "charts", id: "charts" });
  const queue = h("div");
  main.append(status, charts, queue);
  const boxes = Object.fromEntries(CHARTS.map((c) => [c.id, h("div", { class: "card", id: `chart-${c.id}` })]));
  charts.append(...Object.values(boxes));
  let seconds = Number(range);

  async function drawCharts() {
    seconds = Number(new URL(location.href).searchParams.get("range") || range);
    if (!fn) {
      clear(status, note("No functions yet.", "info"));
      return;
    }
    const period = seconds <= 3600 ? 60 : seconds <= 10800 ? 300 : 900;
    const now = Math.floor(Date.now() / 1000);
    const queries = [];
    CHARTS.forEach((chart, c) => chart.lines.forEach(([, ns, metric, stat], l) =>
      queries.push(query(`c${c}l${l}`, ns, metric, stat, { FunctionName: fn }, period))));
    let series;
    try {
      series = await fetchSeries(queries, now - seconds, now + period);
      clear(status);
    } catch (error) {
      const text = error instanceof ApiError && error.missing
        ? "Metrics are not served by this host yet (CloudWatch GetMetricData): the charts stay empty."
        : `Metrics unavailable: ${error.message}`;
      clear(status, note(text));
      series = {};
    }
    await Promise.all(CHARTS.map((chart, c) => lineChart(boxes[chart.id], chart.title,
      chart.lines.map(([label], l) => ({ name: label, points: series[`c${c}l${l}`] || [] })),
      { unit: chart.unit, range: [new Date((now - seconds) * 1000), new Date((now + 30) * 1000)] })));
  }

  async function drawQueue() {
    let state;
    try { state = await consoleApi("async"); } catch (error) {
      clear(queue, note(`The async queue cannot be read: ${error.message}`));
      return;
    }
    const mine = state.Queue.ByFunction.find((f) => f.FunctionName === fn);
    const redrive = async (id, button) => {
      button.disabled = true;
      try { await consoleApi("async/redrive", { method: "POST", body: id === undefined ? {} : { Id: id } }); } finally { drawQueue(); }
    };
    clear(queue,
      h("div", { class: "stats" },
        stat("Queued events (all functions)", state.Queue.Depth, "queue-depth"),
        stat("Oldest queued event", state.Queue.Depth ? duration(state.Queue.OldestAgeSeconds) : "—"),
        stat(`Queued for ${fn || "—"}`, mine ? mine.Depth : 0),
        stat("Deliveries being tried", state.DeliveriesInProgress),
        stat("Undeliverable", state.Undeliverable.length, "undeliverable-count")),
      card(h("span", {}, "Undeliverable records ",
        state.Undeliverable.length ? h("button", { onclick: (e) => redrive(undefined, e.currentTarget), id: "redrive-all" }, "Redrive all") : null),
      h("p", { class: "muted", style: "margin-top:0;font-size:12.5px" },
        "Destination records and dead-letter messages that could not be delivered after their retries. Redrive tries them again now."),
      table([
        ["Event", (d) => h("span", { class: "mono" }, d.RequestId)],
        ["Function", (d) => shortArn(d.FunctionArn)],
        ["Kind", (d) => badge(d.Kind, d.Kind === "OnSuccess" ? "ok" : "bad")],
        ["Target", (d) => h("span", { class: "mono" }, shortArn(d.Target))],
        ["Attempts", (d) => d.Attempts, { num: true }],
        ["Last error", (d) => h("span", { class: "muted" }, d.LastError || "—")],
        ["Created", (d) => when(d.Created)],
        ["", (d) => h("button", { onclick: (e) => redrive(d.Id, e.currentTarget) }, "Redrive")],
      ], state.Undeliverable, { empty: "Nothing undeliverable." })));
  }

  ctx.every(5000, drawCharts);
  ctx.every(2000, drawQueue);
}

function stat(label, value, id) {
  return h("div", { class: "stat", id }, h("div", { class: "value" }, String(value)), h("div", { class: "label" }, label));
}
