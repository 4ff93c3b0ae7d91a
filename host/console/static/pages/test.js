// Test: saved test events, AWS's event templates, and an invoke with its result and log tail.
import { ApiError, functionPath, hostApi, lambda, lambdaAll } from "../api.js";
import { badge, card, clear, h, note, pageHeader, pretty, select } from "../ui.js";
import { functionPicker } from "./common.js";

const EVENTS = (name) => `functions/${encodeURIComponent(name)}/test-events`;

function decodeTail(b64) {
  if (!b64) return "";
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export async function testPage(main, [name]) {
  const [picker, fn] = await functionPicker("/console/test", name);
  main.append(pageHeader("Test", "Invoke a function with a saved event or one of AWS's sample events."));
  if (!fn) {
    main.append(note("No functions yet.", "info"));
    return;
  }
  const path = functionPath(fn);
  const [versions, aliases] = await Promise.all([
    lambdaAll(`${path}/versions`, "Versions"),
    lambdaAll(`${path}/aliases`, "Aliases"),
  ]);
  const qualifiers = [["", "$LATEST"], ...versions.filter((v) => v.Version !== "$LATEST").map((v) => [v.Version, `version ${v.Version}`]),
    ...aliases.map((a) => [a.Name, `alias ${a.Name}`])];
  let qualifier = "";
  const editor = h("textarea", { id: "event-json", spellcheck: "false" }, '{\n  "key": "value"\n}');
  const eventName = h("input", { id: "event-name", placeholder: "event name", value: "" });
  const saved = h("div");
  const templates = h("div");
  const messages = h("div");
  const result = h("div", { id: "invoke-result" },
    card("Result", h("div", { class: "empty" }, "Invoke the function to see its response, any function error and the log tail.")));
  let savedEvents = [];

  async function loadSaved(selectName) {
    try {
      const answer = await hostApi(EVENTS(fn));
      savedEvents = answer.TestEvents || [];
      clear(saved, savedEvents.length
        ? h("label", { class: "field" }, "Saved events",
          select([["", "— choose —"], ...savedEvents.map((e) => [e.Name, e.Name])], selectName || "", (value) => {
            const event = savedEvents.find((e) => e.Name === value);
            if (event) { editor.value = pretty(event.Event); eventName.value = event.Name; }
          }, { id: "saved-events" }))
        : h("div", { class: "muted", style: "font-size:12px" }, "No saved events for this function."));
    } catch (error) {
      clear(saved, note(error instanceof ApiError && error.missing
        ? "Saved test events are not served by this host yet." : `Saved events unavailable: ${error.message}`));
    }
  }

  async function loadTemplates() {
    try {
      const answer = await hostApi("events/templates");
      const list = answer.Templates || [];
      const services = [...new Set(list.map((t) => t.Service))];
      const choose = async (value) => {
        if (!value) return;
        const [service, event] = value.split("/");
        const payload = await hostApi(`events/templates/${encodeURIComponent(service)}/${encodeURIComponent(event)}`);
        editor.value = pretty(payload);
        if (!eventName.value) eventName.value = `${service}-${event}`.replace(/[^A-Za-z0-9_-]/g, "-");
      };
      clear(templates, h("label", { class: "field" }, "Start from a template",
        h("select", { id: "templates", style: "max-width:260px", onchange: (e) => choose(e.target.value) },
          h("option", { value: "" }, "— AWS sample events —"),
          services.map((service) => h("optgroup", { label: service },
            list.filter((t) => t.Service === service).map((t) =>
              h("option", { value: `${t.Service}/${t.Event}`, title: t.Description || "" }, `${t.Service} · ${t.Event}`)))))));
    } catch (error) {
      clear(templates, note(error instanceof ApiError && error.missing
        ? "Event templates are not served by this host yet." : `Templates unavailable: ${error.message}`));
    }
  }

  function parsed() {
    try { return JSON.parse(editor.value || "{}"); } catch (error) {
      clear(messages, note(`The event is not valid JSON: ${error.message}`));
      return undefined;
    }
  }

  async function save() {
    const event = parsed();
    if (event === undefined) return;
    const title = eventName.value.trim();
    if (!title) { clear(messages, note("Give the event a name to save it.")); return; }
    try {
      await hostApi(`${EVENTS(fn)}/${encodeURIComponent(title)}`, { method: "PUT", body: JSON.stringify(event) });
      clear(messages, note(`Saved “${title}”.`, "info"));
      await loadSaved(title);
    } catch (error) { clear(messages, note(`Could not save: ${error.message}`)); }
  }

  async function remove() {
    const title = eventName.value.trim();
    if (!title) return;
    try {
      await hostApi(`${EVENTS(fn)}/${encodeURIComponent(title)}`, { method: "DELETE" });
      clear(messages, note(`Deleted “${title}”.`, "info"));
      eventName.value = "";
      await loadSaved();
    } catch (error) { clear(messages, note(`Could not delete: ${error.message}`)); }
  }

  async function invoke(button) {
    const event = parsed();
    if (event === undefined) return;
    clear(messages);
    button.disabled = true;
    const started = performance.now();
    try {
      const query = qualifier ? `?Qualifier=${encodeURIComponent(qualifier)}` : "";
      const response = await fetch(`${path}/invocations${query}`, {
        method: "POST",
        headers: { "X-Amz-Log-Type": "Tail", "X-Amz-Invocation-Type": "RequestResponse", "Content-Type": "application/json" },
        body: JSON.stringify(event),
      });
      const elapsed = performance.now() - started;
      const text = await response.text();
      const functionError = response.headers.get("x-amz-function-error");
      const apiError = response.headers.get("x-amzn-errortype");
      const tail = decodeTail(response.headers.get("x-amz-log-result"));
      const ok = response.ok && !functionError;
      clear(result, card(h("span", {}, "Result ",
        ok ? badge("Succeeded", "ok") : badge(functionError ? `Function error: ${functionError}` : `${response.status} ${apiError || ""}`, "bad")),
        h("dl", { class: "props", style: "margin-bottom:12px" },
          h("dt", {}, "Status"), h("dd", {}, String(response.status)),
          h("dt", {}, "Executed version"), h("dd", {}, response.headers.get("x-amz-executed-version") || "—"),
          h("dt", {}, "Request id"), h("dd", { class: "mono" }, response.headers.get("x-amzn-requestid") || "—"),
          h("dt", {}, "Round trip"), h("dd", {}, `${elapsed.toFixed(1)} ms`)),
        h("h2", {}, functionError ? "Error" : "Response"),
        h("pre", { id: "invoke-payload", class: ok ? "" : "error" }, pretty(text)),
        h("h2", { style: "margin-top:14px" }, "Log tail"),
        h("pre", { id: "invoke-log", class: "dark" }, tail || "(no log tail)")));
    } catch (error) {
      clear(result, note(`Invoke failed: ${error.message}`));
    } finally {
      button.disabled = false;
    }
  }

  const invokeButton = h("button", { class: "primary", id: "invoke", onclick: (e) => invoke(e.currentTarget) }, "Invoke");
  main.append(
    h("div", { class: "toolbar" }, picker,
      h("label", { class: "field" }, "Qualifier", select(qualifiers, "", (value) => { qualifier = value; }, { id: "qualifier" })),
      saved, templates),
    h("div", { class: "row" },
      h("div", { class: "grow" }, card("Event",
        h("div", { class: "toolbar" }, h("label", { class: "field" }, "Name", eventName),
          h("button", { id: "save-event", onclick: save }, "Save"),
          h("button", { class: "danger", onclick: remove }, "Delete"),
          h("span", { style: "flex:1" }), invokeButton),
        editor, messages)),
      h("div", { class: "grow" }, result)));
  await Promise.all([loadSaved(), loadTemplates()]);
}
