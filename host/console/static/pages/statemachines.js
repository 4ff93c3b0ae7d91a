// State machines: the list, a machine's graph (laid out by the host) and executions, and one
// execution drawn on the graph with each state coloured by its status, live, beside its history.
import { consoleApi, sfn } from "../api.js";
import { badge, card, clear, duration, go, h, link, note, pageHeader, pretty, props, table, toDate, when } from "../ui.js";

const machineHref = (arn) => `/console/state-machines/${encodeURIComponent(arn)}`;
const executionHref = (arn) => `/console/executions/${encodeURIComponent(arn)}`;

export async function machinesPage(main, _params, ctx) {
  const body = h("div");
  main.append(pageHeader("State machines", "Step Functions state machines on this host."), body);
  ctx.every(3000, async () => {
    const machines = [];
    let token;
    do {
      const page = await sfn("ListStateMachines", token ? { nextToken: token } : {});
      machines.push(...page.stateMachines);
      token = page.nextToken;
    } while (token);
    clear(body, table([
      ["Name", (m) => link(machineHref(m.stateMachineArn), m.name)],
      ["Type", (m) => m.type],
      ["Created", (m) => when(m.creationDate)],
      ["ARN", (m) => h("span", { class: "mono muted" }, m.stateMachineArn)],
    ], machines, { empty: "No state machines. Create one with the AWS CLI, boto3 or a SAM template." }));
  });
}

// Fetch the drawing of a machine into box; resolves to {name: <g> node} of its states.
async function drawGraph(box, machineArn) {
  const response = await fetch(`/_lambda-host/console/api/state-machines/${encodeURIComponent(machineArn)}/graph.svg`);
  if (!response.ok) {
    clear(box, note(`The graph cannot be drawn: HTTP ${response.status}`));
    return {};
  }
  box.innerHTML = await response.text();
  box.dataset.layout = response.headers.get("x-layout-engine") || "";
  const nodes = {};
  for (const g of box.querySelectorAll("g.node")) {
    const title = g.querySelector("title");
    if (title && g.classList.contains("state")) nodes[title.textContent] = g;
    else if (title && !g.classList.contains("pseudo") && !/^__(start|end)__$/.test(title.textContent)) {
      g.classList.add("state");
      nodes[title.textContent] = g;
    }
  }
  return nodes;
}

export async function machinePage(main, [arn], ctx) {
  const machine = await sfn("DescribeStateMachine", { stateMachineArn: arn });
  const graphBox = h("div", { class: "graph-box", id: "graph" }, "Drawing…");
  const executions = h("div");
  const input = h("textarea", { id: "execution-input", spellcheck: "false", style: "min-height:90px" }, "{}");
  const startNote = h("div");
  const start = async (button) => {
    button.disabled = true;
    try {
      JSON.parse(input.value || "{}");
      const started = await sfn("StartExecution", { stateMachineArn: arn, input: input.value || "{}" });
      go(executionHref(started.executionArn));
    } catch (error) {
      clear(startNote, note(`Could not start: ${error.message}`));
      button.disabled = false;
    }
  };
  main.append(
    h("div", { class: "crumbs" }, link("/console/state-machines", "State machines"), " / ", machine.name),
    pageHeader(machine.name, machine.stateMachineArn),
    h("div", { class: "row" },
      h("div", { class: "grow" }, card("Definition", graphBox)),
      h("div", { class: "grow" },
        card("Start an execution", h("div", { class: "muted", style: "font-size:12px;margin-bottom:4px" }, "Input (JSON)"), input,
          h("div", { style: "margin-top:8px" }, h("button", { class: "primary", id: "start-execution",
            onclick: (e) => start(e.currentTarget) }, "Start execution")), startNote),
        card("Executions", executions),
        card("Details", props([["Type", machine.type], ["Role", machine.roleArn], ["Created", when(machine.creationDate)]])))));
  await drawGraph(graphBox, arn);
  ctx.every(2000, async () => {
    const page = await sfn("ListExecutions", { stateMachineArn: arn, maxResults: 100 });
    clear(executions, table([
      ["Name", (e) => link(executionHref(e.executionArn), e.name)],
      ["Status", (e) => badge(e.status)],
      ["Started", (e) => when(e.startDate)],
      ["Duration", (e) => duration(((e.stopDate ? toDate(e.stopDate) : new Date()) - toDate(e.startDate)) / 1000)],
    ], page.executions, { empty: "No executions yet." }));
  });
}

async function fullHistory(executionArn) {
  const events = [];
  let token;
  do {
    const body = { executionArn, maxResults: 1000, includeExecutionData: true };
    if (token) body.nextToken = token;
    const page = await sfn("GetExecutionHistory", body);
    events.push(...page.events);
    token = page.nextToken;
  } while (token);
  return events;
}

const FAILURE = /(Failed|TimedOut|Aborted)$/;
const SUCCESS = /(Succeeded)$/;

function detailsOf(event) {
  const key = Object.keys(event).find((k) => k.endsWith("EventDetails"));
  return key ? event[key] : {};
}

// Each state's status from the history: succeeded, failed, running; not-run for the others.
// A failure belongs to the state entered last on its chain of previous events; a later success
// of that state (a retry that worked) clears it.
export function stateStatuses(events, executionStatus) {
  const byId = new Map(events.map((e) => [e.id, e]));
  const states = {};
  const owner = (event) => {
    let current = event;
    for (let guard = 0; current && guard < 10000; guard += 1) {
      current = byId.get(current.previousEventId);
      if (current && current.type.endsWith("StateEntered")) return current.stateEnteredEventDetails.name;
    }
    return null;
  };
  for (const event of events) {
    if (event.type.endsWith("StateEntered")) {
      const d = event.stateEnteredEventDetails;
      const s = states[d.name] || (states[d.name] = { name: d.name, runs: 0, firstEvent: event.id });
      Object.assign(s, { status: "running", input: d.input, entered: event.timestamp, failing: false,
        kind: event.type.replace("StateEntered", "") });
      s.runs += 1;
    } else if (event.type.endsWith("StateExited")) {
      const d = event.stateExitedEventDetails;
      const s = states[d.name] || (states[d.name] = { name: d.name, runs: 1 });
      s.status = s.failing ? "failed" : "succeeded";
      s.output = d.output;
      s.exited = event.timestamp;
    } else if (!event.type.startsWith("Execution") && (FAILURE.test(event.type) || SUCCESS.test(event.type))) {
      const name = owner(event);
      if (name && states[name]) {
        states[name].failing = FAILURE.test(event.type);
        if (states[name].failing) {
          states[name].error = detailsOf(event);
          if (states[name].status !== "running") states[name].status = "failed";
        }
      }
    }
  }
  const ended = executionStatus && executionStatus !== "RUNNING";
  for (const s of Object.values(states)) {
    if (s.status === "running" && ended) s.status = executionStatus === "SUCCEEDED" ? "succeeded" : "failed";
    if (s.status === "running" && s.failing) s.status = "running";
  }
  return states;
}

const STATUS_BADGE = { succeeded: "ok", failed: "bad", running: "busy", "not-run": "" };

export async function executionPage(main, [arn], ctx) {
  const graphBox = h("div", { class: "graph-box", id: "graph" }, "Drawing…");
  const summary = h("div");
  const steps = h("div", { id: "steps" });
  const io = h("div", { id: "step-io" });
  const history = h("div");
  const header = h("div");
  main.append(header, summary,
    h("div", { class: "row" },
      h("div", { class: "grow" }, card(h("span", {}, "Graph ", h("span", { class: "legend", style: "font-weight:400" },
        ["succeeded", "failed", "running", "not-run"].map((s) => h("span", {}, h("i", { class: `sw-${s}` }), s)))), graphBox)),
      h("div", { class: "grow" }, card("Steps", steps), card("Step input and output", io))),
    card("Event history", history));
  let described = await sfn("DescribeExecution", { executionArn: arn });
  const machineArn = described.stateMachineVersionArn || described.stateMachineArn;
  clear(header,
    h("div", { class: "crumbs" }, link("/console/state-machines", "State machines"), " / ",
      link(machineHref(described.stateMachineArn), described.stateMachineArn.split(":").pop()), " / ", described.name),
    pageHeader(described.name, arn));
  const nodes = await drawGraph(graphBox, machineArn);
  let selected = null;

  function showStep(state) {
    selected = state.name;
    for (const [name, g] of Object.entries(nodes)) g.classList.toggle("selected", name === selected);
    for (const tr of steps.querySelectorAll("tr[data-step]")) tr.classList.toggle("selected", tr.dataset.step === selected);
    clear(io, h("div", { style: "margin-bottom:8px" }, h("strong", {}, state.name), " ", badge(state.status, STATUS_BADGE[state.status])),
      state.error ? h("pre", { style: "margin-bottom:10px;color:var(--bad)" }, pretty(state.error)) : null,
      h("div", { class: "io" },
        h("div", {}, h("div", { class: "muted" }, "Input"), h("pre", {}, state.input === undefined ? "—" : pretty(state.input))),
        h("div", {}, h("div", { class: "muted" }, "Output"), h("pre", {}, state.output === undefined ? "—" : pretty(state.output)))));
  }

  let lastStates = {};
  for (const [name, g] of Object.entries(nodes)) g.addEventListener("click", () => { if (lastStates[name]) showStep(lastStates[name]); });

  async function refresh() {
    described = await sfn("DescribeExecution", { executionArn: arn });
    const events = await fullHistory(arn);
    const states = stateStatuses(events, described.status);
    lastStates = states;
    for (const [name, g] of Object.entries(nodes)) {
      const status = states[name]?.status || "not-run";
      g.classList.remove("st-succeeded", "st-failed", "st-running", "st-not-run");
      g.classList.add(`st-${status}`);
      g.dataset.status = status;
    }
    const start = toDate(described.startDate);
    clear(summary, h("div", { class: "stats" },
      h("div", { class: "stat" }, h("div", { class: "value", id: "execution-status" }, badge(described.status)), h("div", { class: "label" }, "Status")),
      h("div", { class: "stat" }, h("div", { class: "value" }, duration(((described.stopDate ? toDate(described.stopDate) : new Date()) - start) / 1000)), h("div", { class: "label" }, "Duration")),
      h("div", { class: "stat" }, h("div", { class: "value" }, String(Object.keys(states).length)), h("div", { class: "label" }, "States entered")),
      h("div", { class: "stat" }, h("div", { class: "value" }, String(events.length)), h("div", { class: "label" }, "History events"))),
    described.error ? note(`${described.error}: ${described.cause || ""}`) : null);
    const ordered = Object.values(states).sort((a, b) => (a.firstEvent || 0) - (b.firstEvent || 0));
    clear(steps, table([
      ["State", (s) => h("a", { href: "#", onclick: (e) => { e.preventDefault(); showStep(s); } }, s.name)],
      ["Type", (s) => s.kind || "—"],
      ["Status", (s) => badge(s.status, STATUS_BADGE[s.status])],
      ["Duration", (s) => (s.exited ? duration((toDate(s.exited) - toDate(s.entered)) / 1000) : "—"), { num: true }],
    ], ordered, { rowAttrs: (s) => ({ "data-step": s.name, class: s.name === selected ? "selected" : null }) }));
    if (!selected && ordered.length) showStep(ordered[ordered.length - 1]);
    else if (selected && states[selected]) showStep(states[selected]);
    clear(history, table([
      ["ID", (e) => e.id, { num: true }],
      ["Type", (e) => h("span", { class: FAILURE.test(e.type) ? "badge bad" : "" }, e.type)],
      ["Step", (e) => detailsOf(e).name || ""],
      ["Since start", (e) => `${Math.max(0, toDate(e.timestamp) - start)} ms`, { num: true }],
      ["Details", (e) => {
        const d = detailsOf(e);
        return Object.keys(d).length ? h("details", {}, h("summary", {}, "show"), h("pre", {}, pretty(d))) : "";
      }],
    ], events));
    return described.status === "RUNNING";
  }

  let running = await refresh();
  ctx.every(1000, async () => { if (running) running = await refresh(); });
}
