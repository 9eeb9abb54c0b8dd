// The worklist (what is overdue or due in the next 30 days) of one case file, from a running
// `lacplan serve`, in a few lines of JavaScript (Node 18 or later: fetch is built in; in a
// browser page, the server needs --cors-origin for the page's origin). docs/service.md.
//
//   LACPLAN_URL=http://127.0.0.1:8000 [LACPLAN_TOKEN=...] node service-client.mjs CASES.json AS_OF
import { readFile } from "node:fs/promises";

const [file, asOf] = process.argv.slice(2);
const url = process.env.LACPLAN_URL ?? "http://127.0.0.1:8000";
const headers = { "Content-Type": "application/json" };
if (process.env.LACPLAN_TOKEN) headers.Authorization = `Bearer ${process.env.LACPLAN_TOKEN}`;

const parsed = JSON.parse(await readFile(file, "utf8"));
const cases = Array.isArray(parsed) ? parsed : [parsed];
const response = await fetch(`${url}/v1/upcoming`, {
  method: "POST",
  headers,
  body: JSON.stringify({ as_of: asOf, days: 30, cases }),
});
const answer = await response.json();
if (!response.ok) {
  const { code, path, message } = answer.error;
  console.error(`${response.status} ${code} at ${path || "(the request)"}: ${message}`);
  process.exit(1);
}
const rules = `${response.headers.get("Lacplan-Rules")} ${response.headers.get("Lacplan-Rules-Version")}`;
console.log(`rules ${rules}; ${answer.errors.length} record(s) rejected`);
for (const row of answer.rows) {
  console.log([row.child_id, row.rule, row.due, row.status, row.days_overdue ?? ""].join("\t"));
}
