// lacplan web build's byte-compilation step (src/lacplan/web/precompile.py), run under Node in
// the bundle's own Pyodide runtime so that the bytecode is for the Python the browser runs.
//
//   node precompile.mjs RUNTIME_DIR PRECOMPILE_PY JOBS_JSON
//
// JOBS_JSON lists {"input", "output", "kind"}: kind "site" (a wheel, installed into
// site-packages) or "stdlib" (python_stdlib.zip).
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [runtimeDir, moduleFile, jobsFile] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${runtimeDir}/pyodide.mjs`).href);
const quiet = () => {};
const py = await loadPyodide({ indexURL: `${runtimeDir}/`, stdout: quiet, stderr: quiet });
py.runPython(readFileSync(moduleFile, "utf8"));
const prefixes = py.runPython(
  "import os, site, json; json.dumps({'site': site.getsitepackages()[0], 'stdlib': os.path.dirname(os.__file__)})",
);
const prefix = JSON.parse(prefixes);
for (const job of JSON.parse(readFileSync(jobsFile, "utf8"))) {
  py.FS.writeFile("/tmp/in.zip", readFileSync(job.input));
  py.globals.set("job_prefix", prefix[job.kind]);
  py.runPython(
    "open('/tmp/out.zip', 'wb').write(precompile_zip(open('/tmp/in.zip', 'rb').read(), job_prefix))",
  );
  writeFileSync(job.output, py.FS.readFile("/tmp/out.zip"));
}
