// Environments: the warm pool as a picture, live (one snapshot a second).
import { consoleApi } from "../api.js";
import { brief, card, clear, h, note, pageHeader } from "../ui.js";

function tile(env) {
  const peak = env.peak_memory_mb;
  const share = peak ? Math.min(100, (100 * peak) / env.memory_mb) : 0;
  return h("div", { class: `env ${env.phase}`, "data-env": env.id, "data-phase": env.phase,
    title: `${env.id} · ${env.state}${env.provisioned ? " · provisioned" : ""}` },
  h("div", { style: "display:flex;justify-content:space-between;align-items:baseline" },
    h("span", { class: "phase" }, env.phase), h("span", { class: "id" }, env.id.slice(0, 8))),
  h("div", {}, `${env.version === "$LATEST" ? "$LATEST" : "v" + env.version} · ${env.state}${env.provisioned ? " · provisioned" : ""}`),
  h("div", {}, `age ${brief(env.age_s)}`, env.phase === "idle" ? ` · idle ${brief(env.idle_s)}` : ""),
  h("div", {}, `${env.invocations} invocation${env.invocations === 1 ? "" : "s"}`),
  h("div", {}, peak ? `peak ${peak} / ${env.memory_mb} MB` : `${env.memory_mb} MB`),
  h("div", { class: "meter" }, h("div", { style: `width:${share}%` })));
}

function stemTile(env) {
  return h("div", { class: `env stem ${env.state === "Starting" ? "initialising" : ""}`, "data-stem": env.id },
    h("div", { class: "id" }, env.id.slice(0, 8)),
    h("div", {}, env.state === "Starting" ? "starting" : "ready"),
    h("div", { class: "muted" }, `age ${brief(env.age_s)}`));
}

export async function environmentsPage(main, _params, ctx) {
  const body = h("div", { id: "pool" });
  main.append(pageHeader("Environments", "Each execution environment of the warm pool, and the generic stems kept started per runtime. Live.",
    h("div", { class: "legend" }, ["busy", "idle", "initialising", "failed"].map((phase) =>
      h("span", {}, h("i", { style: `background:var(--${{ busy: "busy", idle: "ok", initialising: "warn", failed: "bad" }[phase]})` }), phase)))),
  body);
  ctx.every(1000, async () => {
    let pool;
    try { pool = await consoleApi("environments"); } catch (error) {
      clear(body, note(`The pool cannot be read: ${error.message}`));
      return;
    }
    const byFunction = {};
    for (const env of pool.Environments) (byFunction[env.function] ||= []).push(env);
    const byRuntime = {};
    for (const env of pool.Stems) (byRuntime[env.runtime] ||= []).push(env);
    const count = (phase) => pool.Environments.filter((e) => e.phase === phase).length;
    const queued = Object.values(pool.Queued).reduce((a, b) => a + b, 0);
    clear(body,
      h("div", { class: "stats" },
        ...[["Environments", pool.Environments.length], ["Busy", count("busy")], ["Idle", count("idle")],
          ["Initialising", count("initialising")], ["Stems ready", pool.Stems.filter((s) => s.state === "Stem").length],
          ["Invocations waiting", queued]].map(([label, value]) =>
          h("div", { class: "stat" }, h("div", { class: "value" }, String(value)), h("div", { class: "label" }, label)))),
      Object.keys(byFunction).length
        ? Object.keys(byFunction).sort().map((fn) => card(
          h("span", { style: "display:flex;gap:10px;align-items:baseline" }, fn, pool.Queued[fn] ? h("span", { class: "badge warn", style: "margin-left:8px" }, `${pool.Queued[fn]} waiting`) : null,
            h("span", { class: "muted", style: "font-weight:400;font-size:12px" }, `${byFunction[fn][0].runtime}`)),
          h("div", { class: "pool", "data-function": fn }, byFunction[fn].sort((a, b) => a.age_s - b.age_s).map(tile))))
        : card("Function environments", h("div", { class: "empty" }, "No environments yet: the first invocation of a function starts one.")),
      card("Stems (started ahead of demand, per runtime)",
        Object.keys(byRuntime).length
          ? Object.keys(byRuntime).sort().map((runtime) => h("div", { style: "margin-bottom:10px" },
            h("div", { class: "muted", style: "margin-bottom:6px;font-size:12.5px" }, `${runtime} · ${byRuntime[runtime].length}`),
            h("div", { class: "pool" }, byRuntime[runtime].map(stemTile))))
          : h("div", { class: "empty" }, "No stems.")));
  });
}
