// Plotly, as the plotly wheel ships it, loaded once on first use; and the console's chart style.
let loading = null;

export function plotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/_lambda-host/console/static/vendor/plotly.min.js";
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error("plotly.min.js could not be loaded"));
      document.head.append(script);
    });
  }
  return loading;
}

const COLOURS = ["#2f6fde", "#d64545", "#d9822b", "#1f9d55", "#8e44ad", "#6b7585"];

// Draw lines [{name, points: [[Date, value]]}] into el; a note instead when there is nothing.
export async function lineChart(el, title, lines, { unit = "", emptyNote = "No data points in this period.", range } = {}) {
  const has = lines.some((line) => line.points.length);
  let box = el.querySelector(".chart");
  if (!box) {
    box = document.createElement("div");
    box.className = "chart";
    el.replaceChildren(box);
  }
  const Plotly = await plotly();
  const traces = lines.map((line, i) => ({
    x: line.points.map(([t]) => t),
    y: line.points.map(([, v]) => v),
    name: line.name,
    type: "scatter",
    mode: line.points.length > 30 ? "lines" : "lines+markers",
    line: { color: COLOURS[i % COLOURS.length], width: 2, shape: "linear" },
    marker: { size: 6 },
    hovertemplate: `%{y:.2f}${unit ? " " + unit : ""}<extra>${line.name}</extra>`,
  }));
  const layout = {
    title: { text: title, font: { size: 13, color: "#1d2533" }, x: 0.01, xanchor: "left" },
    margin: { l: 44, r: 12, t: 34, b: 32 },
    height: 240,
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    font: { family: "system-ui, sans-serif", size: 11, color: "#6b7585" },
    xaxis: { gridcolor: "#eef1f5", type: "date", range },
    yaxis: { gridcolor: "#eef1f5", rangemode: "tozero", title: unit ? { text: unit, font: { size: 10 } } : undefined },
    showlegend: lines.length > 1,
    legend: { orientation: "h", y: 1.12, x: 1, xanchor: "right", font: { size: 10 } },
    annotations: has ? [] : [{ text: emptyNote, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
      font: { size: 12, color: "#9aa5b5" } }],
  };
  await Plotly.react(box, traces, layout, { displayModeBar: false, responsive: true });
  box.dataset.points = String(lines.reduce((n, line) => n + line.points.length, 0));
}
