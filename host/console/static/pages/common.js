// Pieces several pages share: choosing a function.
import { lambdaAll } from "../api.js";
import { go, h, select } from "../ui.js";

let cached = null;

export async function functionNames() {
  const functions = await lambdaAll("/2015-03-31/functions/", "Functions");
  cached = functions.map((f) => f.FunctionName).sort();
  return cached;
}

// A function picker that opens base/<name>; returns [picker, chosen name or undefined].
export async function functionPicker(base, name) {
  const names = await functionNames();
  const chosen = name || names[0];
  const picker = h("label", { class: "field" }, "Function",
    select(names.map((n) => [n, n]), chosen, (value) => go(`${base}/${encodeURIComponent(value)}`), { id: "function-picker" }));
  return [picker, chosen];
}
