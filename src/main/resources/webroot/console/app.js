// The console page: wires the controls to the API. No framework, no build step.
import {call, key, setKey, remembered, ApiError, filePath} from "./api.js";
import {startRun, describeExit} from "./runner.js";
import {FilePanel} from "./files.js";
import {Transcript, appendText} from "./transcript.js";

const $ = (id) => document.getElementById(id);
const ui = {
  keyBox: $("key-box"), key: $("api-key"), remember: $("remember-key"), message: $("message"),
  environment: $("environment"), kernel: $("kernel"), newSession: $("new-session"), sessionId: $("session-id"),
  sessionWord: $("session-word"), mode: $("mode"), leave: $("leave-session"), end: $("end-session"),
  code: $("code"), run: $("run"), kill: $("kill"), interrupt: $("interrupt"), restart: $("restart"),
  status: $("status"),
  stdin: $("stdin"), sendStdin: $("send-stdin"), eof: $("eof"), output: $("output"),
  upload: $("upload"), drop: $("drop"), dropHint: $("drop-hint"),
};
const files = new FilePanel($("files"), $("images"), say);
const transcript = new Transcript(ui.output);
let session = null;   // the current session's id, or null for one-shot runs
let kernel = false;   // whether that session's scripts run in its kernel
let run = null;       // the run in progress

function say(text) {
  ui.message.textContent = text || "";
}

/** Shows an API failure; a 401 opens the key field. */
function fail(error) {
  if (error instanceof ApiError && error.code === "unauthorized") {
    ui.keyBox.hidden = false;
    say(key() ? "The API key was refused: check it." : "This server needs an API key: enter it above.");
    setStatus("unauthorized", "failed");
  } else {
    say(error.message || String(error));
  }
}

function setStatus(text, kind = "") {
  ui.status.textContent = text;
  ui.status.className = `status ${kind}`;
}

async function loadEnvironments() {
  const {environments} = await call("GET", "/v1/environments");
  const chosen = ui.environment.value;
  ui.environment.replaceChildren(...environments.map((environment) => {
    const option = document.createElement("option");
    option.value = environment.name;
    option.textContent = environment.ready ? environment.name : `${environment.name} (not synced)`;
    option.disabled = !environment.ready;
    option.title = environment.description || "";
    return option;
  }));
  ui.environment.value = chosen || (environments.some((e) => e.name === "bare") ? "bare" : "");
  say("");
  if (ui.status.textContent === "unauthorized") setStatus("idle");
}

function showSession(info) {
  const changed = (info ? info.session_id : null) !== session;
  session = info ? info.session_id : null;
  kernel = Boolean(info && info.kernel);
  ui.sessionId.textContent = session || "";
  ui.sessionWord.hidden = !session;
  ui.mode.textContent = !session ? "No session: each run is one-shot"
    : kernel ? `(${info.environment}, kernel)` : `(${info.environment})`;
  ui.leave.hidden = ui.end.hidden = !session;
  // A kernel keeps Python's state between runs: it can be interrupted and restarted, and it reads
  // stdin only as given with the run.
  ui.interrupt.hidden = ui.restart.hidden = !kernel;
  ui.interrupt.disabled = !run;
  ui.sendStdin.hidden = ui.eof.hidden = kernel;
  ui.stdin.placeholder = kernel ? "stdin of the next run, for input()"
    : "a line for input(); Enter sends it";
  ui.kernel.disabled = Boolean(session);
  if (changed) transcript.clear();
  // Files live in a session's workspace: with none there is nowhere to upload to.
  ui.upload.disabled = !session;
  ui.drop.classList.toggle("disabled", !session);
  ui.dropHint.textContent = session ? "Drop files here, or pick them:"
    : "Start a session to upload files: one-shot runs keep none.";
  if (session) ui.environment.value = info.environment;
  ui.environment.disabled = Boolean(session);
  // The fragment keeps the id across reloads and bookmarks; it is never sent to the server.
  history.replaceState(null, "", session ? `#session=${encodeURIComponent(session)}` : location.pathname);
  return files.show(session);
}

function fragmentSession() {
  const match = /^#session=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

async function resume(id) {
  try {
    showSession(await call("GET", `/v1/sessions/${encodeURIComponent(id)}`));
  } catch (e) {
    if (e instanceof ApiError && e.code === "session_not_found") {
      say(`Session ${id} no longer exists; runs are one-shot until you start one.`);
      await showSession(null);
    } else {
      fail(e);
    }
  }
}

/** Runs `change` on the output pane, keeping it scrolled to the end if it was there. */
function follow(change) {
  const atEnd = ui.output.scrollTop + ui.output.clientHeight >= ui.output.scrollHeight - 4;
  change();
  if (atEnd) ui.output.scrollTop = ui.output.scrollHeight;
}

/** Where a kernel cell's spilled results are, and how to download one with the key. */
const resultFiles = {
  href: (path) => filePath(session, path),
  download: (path) => files.download(path).catch(fail),
};

function runCode() {
  if (run) return;
  say("");
  const cell = kernel ? transcript.begin(ui.code.value, resultFiles) : null;
  if (!kernel) transcript.clear();
  ui.output.scrollTop = ui.output.scrollHeight;
  setStatus("running…");
  ui.run.disabled = true;
  ui.kill.disabled = false;
  ui.interrupt.disabled = false;
  const done = () => {
    run = null;
    ui.run.disabled = false;
    ui.kill.disabled = true;
    ui.interrupt.disabled = true;
  };
  const stdin = kernel && ui.stdin.value ? `${ui.stdin.value}\n` : null;
  if (stdin) ui.stdin.value = "";
  // With no list (no key yet, nothing ready) the server's default environment is asked for, and
  // the server's answer says what is wrong.
  run = startRun(session, ui.environment.value || "bare", ui.code.value, {
    output: (stream, text) => follow(() => (cell ? cell.output(stream, text) : appendText(ui.output, stream, text))),
    bundle: (kind, data) => follow(() => cell && cell.bundle(kind, data)),
    exit(frame) {
      done();
      if (cell) follow(() => cell.finish(frame));
      const ok = frame.return_code === 0 && !frame.error;
      setStatus(describeExit(frame), ok ? "ok" : "failed");
      if (session) files.refresh().catch(fail);
    },
    error(text) {
      done();
      if (text.startsWith("unauthorized")) fail(new ApiError(401, "unauthorized", text));
      else say(text);
      setStatus(`failed: ${text}`, "failed");
    },
    notice: say,
  }, stdin);
}

/** Ends the kernel's Python: over the running console, or the HTTP route when nothing runs. */
async function restartKernel() {
  try {
    if (run) run.restart();
    else await call("POST", `/v1/sessions/${encodeURIComponent(session)}/restart`);
    follow(() => transcript.note("Kernel restarted: the next run starts a fresh Python, with none of the earlier state."));
  } catch (e) {
    fail(e);
  }
}

function sendStdin() {
  if (!run) {
    say("Nothing is running: stdin goes to a running script.");
    return;
  }
  run.stdin(`${ui.stdin.value}\n`);
  ui.stdin.value = "";
}

/** Tab indents (four spaces), Shift+Tab removes them, Ctrl+Enter runs. */
function onEditorKey(event) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    runCode();
  } else if (event.key === "Tab") {
    event.preventDefault();
    const {selectionStart: start, selectionEnd: end, value} = ui.code;
    if (event.shiftKey) {
      const lineStart = value.lastIndexOf("\n", start - 1) + 1;
      const strip = value.slice(lineStart, lineStart + 4).match(/^ */)[0].length;
      ui.code.setRangeText("", lineStart, lineStart + strip, "preserve");
    } else {
      ui.code.setRangeText("    ", start, end, "end");
    }
  }
}

ui.run.addEventListener("click", runCode);
ui.kill.addEventListener("click", () => run && run.kill());
ui.interrupt.addEventListener("click", () => run && run.interrupt());
ui.restart.addEventListener("click", restartKernel);
ui.code.addEventListener("keydown", onEditorKey);
ui.sendStdin.addEventListener("click", sendStdin);
ui.stdin.addEventListener("keydown", (event) => {
  if (event.key === "Enter") sendStdin();
});
ui.eof.addEventListener("click", () => run ? run.eof() : say("Nothing is running."));
ui.newSession.addEventListener("click", async () => {
  try {
    const settings = {environment: ui.environment.value};
    if (ui.kernel.checked) settings.kernel = true;
    await showSession(await call("POST", "/v1/sessions", settings));
  } catch (e) {
    fail(e);
  }
});
ui.leave.addEventListener("click", () => showSession(null));
ui.end.addEventListener("click", async () => {
  try {
    await call("DELETE", `/v1/sessions/${encodeURIComponent(session)}`);
    await showSession(null);
  } catch (e) {
    fail(e);
  }
});
ui.upload.addEventListener("change", () => files.upload(ui.upload.files).catch(fail)
    .finally(() => { ui.upload.value = ""; }));
ui.drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  if (session) ui.drop.classList.add("over");
});
ui.drop.addEventListener("dragleave", () => ui.drop.classList.remove("over"));
ui.drop.addEventListener("drop", (event) => {
  event.preventDefault();
  ui.drop.classList.remove("over");
  files.upload(event.dataTransfer.files).catch(fail);
});
ui.key.addEventListener("change", async () => {
  setKey(ui.key.value.trim(), ui.remember.checked);
  await start();
});
ui.remember.addEventListener("change", () => setKey(key(), ui.remember.checked));

async function start() {
  try {
    await loadEnvironments();
    const id = fragmentSession();
    if (id && id !== session) await resume(id);
  } catch (e) {
    fail(e);
  }
}

if (remembered()) {
  ui.keyBox.hidden = false;
  ui.key.value = key();
  ui.remember.checked = true;
}
window.addEventListener("hashchange", () => {
  const id = fragmentSession();
  if (id && id !== session) resume(id);
});
start();
