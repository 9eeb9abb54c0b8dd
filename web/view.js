// DOM helpers of the lacplan page (docs/web.md). Everything that comes from the files (ids,
// labels, explanations, file names) is set with textContent or DOM APIs, never innerHTML; no
// style attribute is written (the policy allows only the bundle's own stylesheet).

const SVG = "http://www.w3.org/2000/svg";

/** An element `tag` with `attrs` (class, id, data-*, ...) and children (text or nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A cell's text: empty for none, a percentage for a rate. */
export function cellText(column, value) {
  if (value === null || value === undefined) return "";
  if (column === "rate" && typeof value === "number") return `${(value * 100).toFixed(1)}%`;
  return String(value);
}

/**
 * A table of `rows` (objects) under `columns`; `onRow(row)` makes each row clickable (a button
 * in its first cell, so that it is reachable by keyboard). `limit` rows at most, with a note.
 */
export function table(columns, rows, { onRow = null, limit = 500, caption = null } = {}) {
  const head = el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", { scope: "col" }, c))));
  const body = el("tbody");
  for (const row of rows.slice(0, limit)) {
    const tr = el("tr", row.status ? { class: `status-${row.status}` } : {});
    columns.forEach((c, i) => {
      const text = cellText(c, row[c]);
      if (i === 0 && onRow) {
        const button = el("button", { type: "button", class: "link" }, text);
        button.addEventListener("click", () => onRow(row));
        tr.append(el("td", {}, button));
      } else {
        tr.append(el("td", c === "status" ? { class: "status" } : {}, text));
      }
    });
    body.append(tr);
  }
  const t = el("table", {}, caption ? el("caption", {}, caption) : null, head, body);
  if (rows.length <= limit) return t;
  return el("div", {}, t, el("p", { class: "note" }, `${limit} of ${rows.length} rows shown; the download has them all.`));
}

function day(text) {
  return text ? Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, +text.slice(8, 10)) : null;
}

/**
 * A timeline of one child's obligations as SVG: one lane per rule, a mark at each due date
 * (its status as its class), a line from the anchor to the due date, and the as-of date.
 */
export function timeline(rows, asOf) {
  const dated = rows.filter((r) => r.due);
  const lanes = [...new Set(dated.map((r) => r.rule))];
  const days = dated.flatMap((r) => [day(r.due), day(r.anchor), day(r.met_on)]).filter((d) => d !== null);
  days.push(day(asOf));
  const first = Math.min(...days);
  const last = Math.max(...days) + 86400000;
  const left = 170;
  const width = 900;
  const lane = 22;
  const top = 34;
  const height = top + 26 + lanes.length * lane;
  const x = (d) => left + ((d - first) / (last - first)) * (width - left - 10);
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "timeline",
    role: "img",
    "aria-label": `Timeline of ${dated.length} due dates in ${lanes.length} rules`,
  });
  const years = [];
  for (let y = new Date(first).getUTCFullYear(); y <= new Date(last).getUTCFullYear(); y += 1) years.push(y);
  for (const y of years) {
    const at = Date.UTC(y, 0, 1);
    if (at < first || at > last) continue;
    chart.append(svg("line", { x1: x(at), x2: x(at), y1: top - 10, y2: height - 14, class: "tick" }));
    const anchor = x(at) > width - 40 ? "end" : "start";
    chart.append(svg("text", { x: x(at) + 2, y: height - 2, class: "tick-label", "text-anchor": anchor }, String(y)));
  }
  lanes.forEach((rule, i) => {
    const y = top + 10 + i * lane;
    chart.append(svg("text", { x: 4, y: y + 4, class: "lane-label" }, rule));
    chart.append(svg("line", { x1: left, x2: width - 10, y1: y, y2: y, class: "lane" }));
    for (const r of dated.filter((o) => o.rule === rule)) {
      const due = day(r.due);
      if (r.anchor) chart.append(svg("line", { x1: x(day(r.anchor)), x2: x(due), y1: y, y2: y, class: "span" }));
      const mark = svg("circle", { cx: x(due), cy: y, r: 5, class: `mark status-${r.status}` });
      mark.append(svg("title", {}, `${r.rule}${r.sequence ? ` #${r.sequence}` : ""}: due ${r.due}, ${r.status}`));
      chart.append(mark);
    }
  });
  const now = x(day(asOf));
  chart.append(svg("line", { x1: now, x2: now, y1: top - 12, y2: height - 14, class: "as-of" }));
  const right = now > width - 120;
  chart.append(
    svg("text", { x: right ? now - 4 : now + 4, y: top - 14, class: "as-of-label", "text-anchor": right ? "end" : "start" }, `as of ${asOf}`),
  );
  // The legend: each status shown, its colour.
  let at = left;
  for (const status of [...new Set(dated.map((r) => r.status))]) {
    chart.append(svg("circle", { cx: at + 5, cy: 10, r: 5, class: `legend status-${status}` }));
    const label = status.replaceAll("_", " ");
    chart.append(svg("text", { x: at + 14, y: 14, class: "lane-label" }, label));
    at += 24 + label.length * 6.5;
  }
  return chart;
}

/** Offer `data` (a string or bytes) as a download named `name`. */
export function download(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = el("a", { href: url, download: name, class: "hidden" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The files of a drop, folders walked (each file's relative path as its name). */
export async function droppedFiles(dataTransfer) {
  const entries = [...dataTransfer.items]
    .map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null))
    .filter(Boolean);
  if (!entries.length) return [...dataTransfer.files].map((file) => ({ name: file.name, file }));
  const found = [];
  async function walk(entry, prefix) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      found.push({ name: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  }
  for (const entry of entries) await walk(entry, "");
  return found;
}

/** Whether the files fit: their total size against `limit` bytes. */
export function tooLarge(files, limit) {
  const total = files.reduce((sum, f) => sum + f.file.size, 0);
  return total > limit ? total : 0;
}
