// Functions: the list with figures at a glance, and one function's configuration.
import { ApiError, consoleApi, functionPath, lambda, lambdaAll } from "../api.js";
import { LAMBDA, fetchSeries, query, total } from "../metrics.js";
import { ago, badge, card, clear, h, link, note, pageHeader, props, table, when } from "../ui.js";

// {function name: {idle, busy, initialising}} from the warm pool.
export async function warmCounts() {
  const counts = {};
  try {
    const pool = await consoleApi("environments");
    for (const env of pool.Environments) {
      const c = counts[env.function] || (counts[env.function] = { idle: 0, busy: 0, initialising: 0 });
      if (env.phase in c) c[env.phase] += 1;
    }
  } catch (error) { console.warn("no pool snapshot", error); }
  return counts;
}

async function lastHour(names) {
  if (!names.length) return {};
  const queries = [];
  names.forEach((name, i) => {
    for (const [key, metric] of [["i", "Invocations"], ["e", "Errors"], ["t", "Throttles"]]) {
      queries.push(query(`${key}${i}`, LAMBDA, metric, "Sum", { FunctionName: name }, 300));
    }
  });
  const now = Math.floor(Date.now() / 1000);
  const series = await fetchSeries(queries, now - 3600, now + 60);
  const out = {};
  names.forEach((name, i) => {
    out[name] = { invocations: total(series[`i${i}`]), errors: total(series[`e${i}`]), throttles: total(series[`t${i}`]) };
  });
  return out;
}

export async function functionsPage(main, _params, ctx) {
  const body = h("div");
  const status = h("div");
  main.append(pageHeader("Functions", "Every function on this host, with the last hour's figures and its warm environments."),
    status, body);
  ctx.every(3000, async () => {
    const functions = (await lambdaAll("/2015-03-31/functions/", "Functions")).sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
    const warm = await warmCounts();
    let figures = {};
    let metricsNote = null;
    try {
      figures = await lastHour(functions.map((f) => f.FunctionName));
    } catch (error) {
      metricsNote = note(error instanceof ApiError && error.missing
        ? "Metrics are not served by this host yet: invocations, errors and throttles show as —."
        : `Metrics unavailable: ${error.message}`);
    }
    const figure = (name, key) => (figures[name] ? figures[name][key] : "—");
    clear(status, metricsNote);
    clear(body, table([
      ["Function", (f) => link(`/console/functions/${encodeURIComponent(f.FunctionName)}`, f.FunctionName)],
      ["Runtime", (f) => f.Runtime || f.PackageType],
      ["State", (f) => badge(f.State || "Active")],
      ["Memory", (f) => `${f.MemorySize} MB`, { num: true }],
      ["Invocations (1 h)", (f) => figure(f.FunctionName, "invocations"), { num: true }],
      ["Errors", (f) => {
        const n = figure(f.FunctionName, "errors");
        return n > 0 ? badge(String(n), "bad") : n;
      }, { num: true }],
      ["Throttles", (f) => {
        const n = figure(f.FunctionName, "throttles");
        return n > 0 ? badge(String(n), "warn") : n;
      }, { num: true }],
      ["Warm", (f) => {
        const c = warm[f.FunctionName];
        if (!c || !(c.idle + c.busy + c.initialising)) return h("span", { class: "muted" }, "0");
        return h("span", { style: "display:inline-flex;gap:4px;flex-wrap:wrap;justify-content:flex-end" },
          c.busy ? badge(`${c.busy} busy`, "busy") : null, c.idle ? badge(`${c.idle} idle`, "ok") : null,
          c.initialising ? badge(`${c.initialising} starting`, "warn") : null);
      }, { num: true }],
      ["Modified", (f) => h("span", { title: when(f.LastModified) }, ago(f.LastModified)), { class: "nowrap" }],
      ["", (f) => h("span", { class: "actions", style: "flex-wrap:nowrap" }, link(`/console/test/${encodeURIComponent(f.FunctionName)}`, "Test"),
        link(`/console/monitor/${encodeURIComponent(f.FunctionName)}`, "Monitor"),
        link(`/console/logs/${encodeURIComponent(f.FunctionName)}`, "Logs"))],
    ], functions, { empty: "No functions yet. Deploy one with the AWS CLI, boto3 or a SAM template.",
      rowAttrs: (f) => ({ "data-function": f.FunctionName }) }));
  });
}

async function optional(promise) {
  try { return await promise; } catch (error) {
    if (error instanceof ApiError && (error.status === 404)) return null;
    throw error;
  }
}

export async function functionPage(main, [name]) {
  const path = functionPath(name);
  const [fn, versions, aliases, concurrency, url, provisioned] = await Promise.all([
    lambda(path),
    lambdaAll(`${path}/versions`, "Versions"),
    lambdaAll(`${path}/aliases`, "Aliases"),
    optional(lambda(`/2019-09-30/functions/${encodeURIComponent(name)}/concurrency`)),
    optional(lambda(`/2021-10-31/functions/${encodeURIComponent(name)}/url`)),
    optional(lambdaAll(`/2019-09-30/functions/${encodeURIComponent(name)}/provisioned-concurrency?List=ALL`, "ProvisionedConcurrencyConfigs")),
  ]);
  const c = fn.Configuration;
  const e = encodeURIComponent(name);
  main.append(
    h("div", { class: "crumbs" }, link("/", "Functions"), " / ", name),
    pageHeader(name, c.Description || c.FunctionArn,
      link(`/console/test/${e}`, h("button", { class: "primary" }, "Test")),
      link(`/console/monitor/${e}`, h("button", {}, "Monitor")),
      link(`/console/logs/${e}`, h("button", {}, "Logs"))),
    h("div", { class: "grid" },
      card("Configuration", props([
        ["State", badge(c.State || "Active")],
        ["Runtime", c.Runtime || c.PackageType],
        ["Handler", c.Handler],
        ["Memory", `${c.MemorySize} MB`],
        ["Timeout", `${c.Timeout} s`],
        ["Ephemeral storage", `${c.EphemeralStorage?.Size ?? 512} MB`],
        ["Architecture", (c.Architectures || ["x86_64"]).join(", ")],
        ["Code size", `${(c.CodeSize / 1024).toFixed(1)} KB`],
        ["Code SHA-256", h("span", { class: "mono" }, c.CodeSha256)],
        ["Role", h("span", { class: "mono" }, c.Role)],
        ["Log group", c.LoggingConfig?.LogGroup || `/aws/lambda/${name}`],
        ["Last modified", when(c.LastModified)],
      ])),
      card("Environment variables", table([
        ["Name", ([k]) => h("span", { class: "mono" }, k)],
        ["Value", ([, v]) => h("span", { class: "mono" }, v)],
      ], Object.entries(c.Environment?.Variables || {}), { empty: "No environment variables." })),
      card("Concurrency", props([
        ["Reserved", concurrency?.ReservedConcurrentExecutions ?? "unreserved (account pool)"],
        ["Provisioned", (provisioned || []).length
          ? h("div", {}, provisioned.map((p) => h("div", {}, `${p.FunctionArn.split(":").pop()}: ${p.AllocatedProvisionedConcurrentExecutions}/${p.RequestedProvisionedConcurrentExecutions} `, badge(p.Status))))
          : "none"],
      ])),
      card("Function URL", url ? props([
        ["URL", h("a", { href: url.FunctionUrl, target: "_blank" }, url.FunctionUrl)],
        ["Auth type", url.AuthType],
        ["Invoke mode", url.InvokeMode || "BUFFERED"],
        ["CORS", url.Cors ? h("span", { class: "mono" }, JSON.stringify(url.Cors)) : "none"],
      ]) : h("div", { class: "empty" }, "No function URL.")),
      card("Layers", table([
        ["Layer version", (l) => h("span", { class: "mono" }, l.Arn.split(":").slice(-2).join(":"))],
        ["Size", (l) => `${((l.CodeSize || 0) / 1024).toFixed(1)} KB`, { num: true }],
      ], c.Layers || [], { empty: "No layers." })),
    ),
    h("div", { class: "grid", style: "margin-top:16px" },
      card("Versions", table([
        ["Version", (v) => v.Version],
        ["Description", (v) => v.Description || h("span", { class: "muted" }, "—")],
        ["Code SHA-256", (v) => h("span", { class: "mono" }, (v.CodeSha256 || "").slice(0, 12) + "…")],
        ["Last modified", (v) => when(v.LastModified)],
      ], versions)),
      card("Aliases", table([
        ["Alias", (a) => a.Name],
        ["Version", (a) => a.FunctionVersion],
        ["Routing", (a) => {
          const extra = a.RoutingConfig?.AdditionalVersionWeights || {};
          const weights = Object.entries(extra);
          if (!weights.length) return `100% → ${a.FunctionVersion}`;
          const rest = 1 - weights.reduce((s, [, w]) => s + w, 0);
          return [`${Math.round(rest * 100)}% → ${a.FunctionVersion}`,
            ...weights.map(([v, w]) => `${Math.round(w * 100)}% → ${v}`)].join(", ");
        }],
        ["Description", (a) => a.Description || h("span", { class: "muted" }, "—")],
      ], aliases, { empty: "No aliases." })),
    ),
  );
}
