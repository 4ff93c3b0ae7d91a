// The console's router: each path is a page module drawn into <main>; a page's timers stop
// when another page is opened.
import { clear, h, note } from "./ui.js";
import { functionsPage, functionPage } from "./pages/functions.js";
import { testPage } from "./pages/test.js";
import { monitorPage } from "./pages/monitor.js";
import { environmentsPage } from "./pages/environments.js";
import { logsPage } from "./pages/logs.js";
import { mappingsPage } from "./pages/mappings.js";
import { machinesPage, machinePage, executionPage } from "./pages/statemachines.js";

const ROUTES = [
  [/^\/(?:console\/?)?$/, "functions", functionsPage],
  [/^\/console\/functions\/([^/]+)$/, "functions", functionPage],
  [/^\/console\/test(?:\/([^/]+))?$/, "test", testPage],
  [/^\/console\/monitor(?:\/([^/]+))?$/, "monitor", monitorPage],
  [/^\/console\/environments$/, "environments", environmentsPage],
  [/^\/console\/logs(?:\/([^/]+))?$/, "logs", logsPage],
  [/^\/console\/event-source-mappings$/, "event-source-mappings", mappingsPage],
  [/^\/console\/state-machines$/, "state-machines", machinesPage],
  [/^\/console\/state-machines\/(.+)$/, "state-machines", machinePage],
  [/^\/console\/executions\/(.+)$/, "state-machines", executionPage],
];

let current = null; // the open page's context

// What a page gets: its timers, stopped when the page is left.
class PageContext {
  constructor() { this.timers = []; this.closed = false; }
  // Run fn now and then every ms milliseconds (after each run finishes), until the page is left.
  every(ms, fn) {
    const tick = async () => {
      if (this.closed) return;
      try { await fn(); } catch (error) { console.error(error); }
      if (!this.closed) this.timers.push(setTimeout(tick, ms));
    };
    tick();
  }
  close() { this.closed = true; this.timers.forEach(clearTimeout); }
}

async function render() {
  const main = document.getElementById("page");
  const path = decodeURI(location.pathname);
  if (current) current.close();
  current = new PageContext();
  for (const [pattern, section, page] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.section === section);
    clear(main);
    try {
      await page(main, match.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p))), current,
        new URLSearchParams(location.search));
    } catch (error) {
      console.error(error);
      main.append(note(`Could not draw this page: ${error.message}`));
    }
    return;
  }
  clear(main, h("h1", {}, "Not found"), h("p", {}, "No console page at this address."));
}

export function navigate(href) {
  history.pushState(null, "", href);
  render();
}

document.addEventListener("click", (event) => {
  const a = event.target.closest("a");
  if (!a || a.target || event.metaKey || event.ctrlKey || event.shiftKey) return;
  if ((a.getAttribute("href") || "").startsWith("#") || event.defaultPrevented) return; // the page's own action
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !(url.pathname === "/" || url.pathname.startsWith("/console"))) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", render);
document.getElementById("where").textContent = location.host;
sessionStorage.removeItem("console-load-tries"); // every module loaded (see index.html)
render();
