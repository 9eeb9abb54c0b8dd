// lacplan's Python, in a Web Worker (docs/web.md).
//
// The page fetches this file and starts it from a blob: URL, so that the worker inherits the
// page's content security policy even on a host that sends no headers. Everything it loads
// comes from the page's origin (`base`, sent in the "init" message): the Pyodide runtime, then
// lacplan and its pure-Python dependencies, checked against the SHA-256 sums of the bundle's
// own pyodide-lock.json. The files the user chose arrive as bytes in messages; nothing is
// stored and nothing is sent anywhere.
//
// Messages in:  {id, type: "init", base} | {id, type: "open", files: [{name, buffer}], options}
//               | {id, type: "child", childId} | {id, type: "explain", childId, key}
//               | {id, type: "csv", kind} | {id, type: "xlsx", kind}
// Messages out: {type: "progress", phase, records?} | {type: "xlsx-ready", ok}
//               | {id, type: "result", value} | {id, type: "error", code, message, fatal?}

let pyodide = null;
let bridge = null;
let session = null;
let queue = Promise.resolve();

const post = (message, transfer) => self.postMessage(message, transfer || []);
const progress = (phase, records) => post({ type: "progress", phase, records });

function fail(id, error) {
  // A Python exception's text could quote a value from the files: only its type is sent.
  const text = String((error && error.message) || error);
  const fatal = /out of memory|memory access out of bounds|Maximum call stack|Aborted|RangeError/i.test(
    text + " " + ((error && error.name) || ""),
  );
  const pyType = (error && error.type) || (error && error.name) || "Error";
  post({
    id,
    type: "error",
    code: fatal ? "too_large" : "internal_error",
    message: fatal
      ? "The browser ran out of memory for this input; split it (by year or by team) or use the command line (lacplan evaluate)."
      : `lacplan failed (${pyType}); the command line gives the same answer with more detail.`,
    fatal,
  });
}

function answer(id, json) {
  const value = JSON.parse(json);
  if (value && value.error) {
    post({ id, type: "error", code: value.error.code, message: value.error.message });
  } else {
    post({ id, type: "result", value });
  }
}

async function init(id, base) {
  const started = performance.now();
  progress("Loading the Python runtime");
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", base).href);
  pyodide = await loadPyodide({
    indexURL: new URL("pyodide/", base).href,
    stdout: () => {},
    stderr: () => {},
  });
  const runtime = performance.now();
  progress("Loading lacplan");
  await pyodide.loadPackage(["lacplan"], { messageCallback: () => {}, checkIntegrity: true });
  const packages = performance.now();
  bridge = pyodide.pyimport("lacplan.web.bridge");
  const ready = JSON.parse(bridge.ready());
  const done = performance.now();
  ready.pyodide_version = pyodide.version;
  ready.ready_ms = Math.round(done - started);
  // Where the start-up time goes: the runtime, the wheels, importing lacplan (and its pack).
  ready.timings_ms = {
    runtime: Math.round(runtime - started),
    packages: Math.round(packages - runtime),
    import: Math.round(done - packages),
  };
  post({ id, type: "result", value: ready });
  // openpyxl only serves the xlsx downloads: loaded after the page is ready.
  queue = queue.then(async () => {
    try {
      await pyodide.loadPackage(["openpyxl"], { messageCallback: () => {}, checkIntegrity: true });
      post({ type: "xlsx-ready", ok: JSON.parse(bridge.ready()).xlsx });
    } catch (error) {
      post({ type: "xlsx-ready", ok: false });
    }
  });
}

function open(id, files, options) {
  if (session) {
    session.destroy();
    session = null;
  }
  progress("Reading the files", 0);
  const pyFiles = pyodide.toPy(files.map((f) => [f.name, new Uint8Array(f.buffer)]));
  const tick = (phase, records) =>
    progress(phase === "reading" ? "Reading the files" : "Evaluating", records);
  let result = null;
  try {
    result = bridge.open_session(pyFiles, JSON.stringify(options), tick);
    const opened = result.get(0);
    const overview = result.get(1);
    session = opened === undefined || opened === null ? null : opened;
    answer(id, overview);
  } finally {
    if (result) result.destroy();
    pyFiles.destroy();
  }
}

function call(id, method, ...args) {
  if (!session) {
    post({ id, type: "error", code: "no_session", message: "Choose the files first." });
    return;
  }
  answer(id, bridge[method](session, ...args));
}

function xlsx(id, kind) {
  if (!session) return call(id, "xlsx", kind);
  const proxy = bridge.xlsx(session, kind);
  const bytes = proxy.toJs();
  proxy.destroy();
  post({ id, type: "result", value: bytes.buffer }, [bytes.buffer]);
}

async function handle(message) {
  const { id, type } = message;
  try {
    if (type === "init") await init(id, message.base);
    else if (!bridge) post({ id, type: "error", code: "not_ready", message: "Still loading." });
    else if (type === "open") open(id, message.files, message.options);
    else if (type === "child") call(id, "child", message.childId);
    else if (type === "explain") call(id, "explanation", message.childId, message.key);
    else if (type === "csv") call(id, "csv", message.kind);
    else if (type === "xlsx") xlsx(id, message.kind);
    else post({ id, type: "error", code: "unknown", message: "Unknown request." });
  } catch (error) {
    fail(id, error);
  }
}

self.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};
