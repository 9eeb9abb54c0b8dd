// The lacplan page (docs/web.md): files in, the cohort's summary, worklist, each child's
// obligations and timeline, any date's explanation and the downloads out. Python runs in a Web
// Worker (worker.js, started from a blob: URL); this thread only draws.

import { download, droppedFiles, el, table, timeline, tooLarge } from "./view.js";

// Past this many bytes of input the page says so instead of trying (a browser tab's
// WebAssembly memory is at most 4 GB, and the records take several times their file size).
export const MAX_INPUT_BYTES = 300 * 1024 * 1024;

const $ = (id) => document.getElementById(id);
const BASE = new URL(".", location.href).href;

let worker = null;
let nextId = 1;
const pending = new Map();
let ready = null;
let chosen = [];
let overview = null;

function setStatus(text, busy = false, records = null) {
  $("status-text").textContent = text;
  const bar = $("progress");
  bar.hidden = !busy;
  if (busy && records === null) bar.removeAttribute("value");
  document.body.classList.toggle("busy", busy);
  if (records !== null) $("status-text").textContent = `${text}: ${records.toLocaleString("en-GB")} records`;
}

function showError(text) {
  const box = $("message");
  box.replaceChildren(el("p", {}, text));
  box.hidden = false;
}

function ask(type, fields = {}, transfer = []) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, type, ...fields }, transfer);
  });
}

function onMessage(event) {
  const m = event.data;
  if (m.type === "progress") {
    setStatus(m.phase, true, m.records === undefined ? null : m.records);
    return;
  }
  if (m.type === "xlsx-ready") {
    for (const b of document.querySelectorAll("button[data-format=xlsx]")) b.hidden = !m.ok;
    return;
  }
  const waiting = pending.get(m.id);
  if (!waiting) return;
  pending.delete(m.id);
  if (m.type === "result") waiting.resolve(m.value);
  else {
    const error = new Error(m.message);
    error.code = m.code;
    error.fatal = m.fatal;
    waiting.reject(error);
  }
}

async function startWorker() {
  // Fetched and started from a blob: URL, so that the worker inherits this page's policy.
  const source = await (await fetch(new URL("worker.js", BASE))).text();
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  worker = new Worker(url, { type: "module", name: "lacplan-python" });
  URL.revokeObjectURL(url);
  worker.onmessage = onMessage;
  worker.onerror = () => {
    for (const w of pending.values()) w.reject(new Error("The Python worker stopped."));
    pending.clear();
  };
  return ask("init", { base: BASE });
}

async function restartWorker() {
  worker.terminate();
  for (const w of pending.values()) w.reject(new Error("restarted"));
  pending.clear();
  ready = await startWorker();
}

function options() {
  const overlays = [...document.querySelectorAll("input[name=overlay]:checked")].map((i) => i.value);
  return {
    as_of: $("as-of").value,
    rules: [$("pack").value, ...overlays].join("+"),
    days: Number($("days").value),
  };
}

async function run() {
  $("message").hidden = true;
  if (!chosen.length) return;
  const total = tooLarge(chosen, MAX_INPUT_BYTES);
  if (total) {
    showError(
      `These files hold ${(total / 1e6).toFixed(0)} MB, more than this page evaluates in a browser ` +
        `(${(MAX_INPUT_BYTES / 1e6).toFixed(0)} MB). Split them (by year or by team) or use the ` +
        "command line (lacplan evaluate).",
    );
    return;
  }
  if (!$("as-of").value) {
    showError("Choose the as-of date: the day the clocks are read on.");
    return;
  }
  setStatus("Reading the files", true);
  $("run").disabled = true;
  const started = performance.now();
  try {
    const files = [];
    for (const { name, file } of chosen) files.push({ name, buffer: await file.arrayBuffer() });
    overview = await ask("open", { files, options: options() }, files.map((f) => f.buffer));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    render(overview);
    setStatus(`Evaluated ${plural(overview.counts.children, "child", "children")} in ${seconds} s`);
  } catch (error) {
    overview = null;
    $("results").hidden = true;
    setStatus("Stopped");
    showError(error.message);
    if (error.fatal) await restartWorker();
  } finally {
    $("run").disabled = false;
    document.body.dataset.state = overview ? "done" : "idle";
  }
}

const plural = (n, one, many) => `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;

function render(doc) {
  const c = doc.counts;
  const statuses = Object.entries(c.statuses).map(([s, n]) => `${n.toLocaleString("en-GB")} ${s.replaceAll("_", " ")}`);
  $("counts").replaceChildren(
    el("p", {}, `${plural(c.children, "child", "children")}, ${plural(c.obligations, "obligation", "obligations")}, `,
      `${plural(c.rejected, "rejected record", "rejected records")}. `, statuses.join(", "), "."),
    el("p", { class: "note" }, `As at ${doc.as_of}; rules ${doc.rules} ${doc.rules_version}; calendar `,
      `${doc.calendar.name} (${doc.calendar.provider} ${doc.calendar.provider_version}).`),
  );
  const s = doc.summary;
  $("summary-period").textContent = `Obligations due ${s.period.from} to ${s.period.to}.`;
  $("summary").replaceChildren(table(s.columns, s.rows));
  const w = doc.worklist;
  $("worklist-note").textContent = `Overdue, or due by ${w.until}: ${plural(w.rows.length, "obligation", "obligations")}, most urgent first.`;
  $("worklist").replaceChildren(table(w.columns, w.rows, { onRow: (row) => showChild(row.child_id) }));
  const childRows = doc.children.map((ch) => ({ child_id: ch.child_id, obligations: ch.obligations, ...ch.statuses }));
  const statusColumns = Object.keys(c.statuses); // in lacplan's status order
  $("children").replaceChildren(table(["child_id", "obligations", ...statusColumns], childRows, { onRow: (row) => showChild(row.child_id) }));
  renderErrors(doc.errors);
  $("results").hidden = false;
  $("child").hidden = true;
  if (doc.children.length === 1) showChild(doc.children[0].child_id);
}

function renderErrors(errors) {
  const rows = errors.flatMap((e) =>
    (e.problems || [{}]).map((p) => ({ file: e.file, line: e.line, child_id: e.child_id, field: p.field, code: p.code, message: p.message })),
  );
  $("errors-count").textContent = rows.length ? `${plural(errors.length, "rejected record", "rejected records")}:` : "No record was rejected.";
  $("errors").replaceChildren(rows.length ? table(["file", "line", "child_id", "field", "code", "message"], rows) : "");
}

async function showChild(childId) {
  const doc = await ask("child", { childId });
  $("child-title").textContent = `Child ${doc.child_id}`;
  $("child-timeline").replaceChildren(timeline(doc.rows, overview.as_of));
  const columns = ["rule", "sequence", "anchor", "due", "met_on", "status", "reason", "days_late"];
  $("child-table").replaceChildren(
    table(columns, doc.rows, { onRow: (row) => explain(doc.child_id, row.key), limit: 1000 }),
  );
  $("explanation").hidden = true;
  $("child").hidden = false;
  $("child").scrollIntoView({ block: "start" });
}

async function explain(childId, key) {
  const o = await ask("explain", { childId, key });
  const box = $("explanation");
  box.replaceChildren(
    el("h4", {}, `${o.title} (${o.rule}${o.sequence ? ` #${o.sequence}` : ""})`),
    el("p", {}, `Due ${o.due || "(no fixed date)"}, ${o.status.replaceAll("_", " ")}${o.reason ? ` (${o.reason})` : ""}.`),
    el("pre", { id: "explanation-text" }, o.explanation),
    el("p", { class: "note" }, o.citation),
  );
  box.hidden = false;
}

async function save(kind, format) {
  try {
    if (format === "xlsx") {
      const bytes = await ask("xlsx", { kind });
      download(`lacplan-${kind}-${overview.as_of}.xlsx`, bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    } else {
      const { text } = await ask("csv", { kind });
      download(`lacplan-${kind}-${overview.as_of}.csv`, text, "text/csv;charset=utf-8");
    }
  } catch (error) {
    showError(error.message);
  }
}

function choose(files) {
  chosen = files;
  const names = files.map((f) => f.name);
  $("chosen").textContent = names.length ? `${plural(names.length, "file", "files")}: ${names.join(", ")}` : "";
  run();
}

function wire() {
  const input = $("files");
  input.addEventListener("change", () => choose([...input.files].map((file) => ({ name: file.name, file }))));
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    choose(await droppedFiles(e.dataTransfer));
  });
  $("options").addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  for (const b of document.querySelectorAll("button[data-download]")) {
    b.addEventListener("click", () => save(b.dataset.download, b.dataset.format));
  }
}

function fillOptions(info) {
  $("pack").replaceChildren(...info.packs.map((p) => el("option", { value: p }, p)));
  $("overlays").replaceChildren(
    ...info.overlays.map((o) => el("label", {}, el("input", { type: "checkbox", name: "overlay", value: o }), ` ${o}`)),
  );
  const t = info.timings_ms;
  $("versions").textContent =
    `lacplan ${info.lacplan_version}, Python ${info.python} in Pyodide ${info.pyodide_version}; ` +
    `ready in ${(info.ready_ms / 1000).toFixed(1)} s (runtime ${(t.runtime / 1000).toFixed(1)} s, ` +
    `packages ${(t.packages / 1000).toFixed(1)} s, lacplan's import ${(t.import / 1000).toFixed(1)} s).`;
}

async function main() {
  wire();
  const today = new Date();
  $("as-of").value = today.toISOString().slice(0, 10);
  setStatus("Loading the Python runtime", true);
  try {
    ready = await startWorker();
    fillOptions(ready);
    $("files").disabled = false;
    $("run").disabled = false;
    setStatus("Ready: choose or drop files");
    document.body.dataset.state = "ready";
  } catch (error) {
    setStatus("Could not start");
    showError(`The Python runtime did not load (${error.message}). Serve the bundle over http(s), not from a file.`);
    document.body.dataset.state = "failed";
  }
}

main();
