// The console page: wires the controls to the API. No framework, no build step.
import {call, key, setKey, remembered, ApiError} from "./api.js";
import {startRun, describeExit} from "./runner.js";
import {FilePanel} from "./files.js";

const $ = (id) => document.getElementById(id);
const ui = {
  keyBox: $("key-box"), key: $("api-key"), remember: $("remember-key"), message: $("message"),
  environment: $("environment"), newSession: $("new-session"), sessionId: $("session-id"),
  sessionWord: $("session-word"), mode: $("mode"), leave: $("leave-session"), end: $("end-session"),
  code: $("code"), run: $("run"), kill: $("kill"), status: $("status"),
  stdin: $("stdin"), sendStdin: $("send-stdin"), eof: $("eof"), output: $("output"),
  upload: $("upload"), drop: $("drop"), dropHint: $("drop-hint"),
};
const files = new FilePanel($("files"), $("images"), say);
let session = null;   // the current session's id, or null for one-shot runs
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
  session = info ? info.session_id : null;
  ui.sessionId.textContent = session || "";
  ui.sessionWord.hidden = !session;
  ui.mode.textContent = session ? `(${info.environment})` : "No session: each run is one-shot";
  ui.leave.hidden = ui.end.hidden = !session;
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

function appendOutput(stream, text) {
  const last = ui.output.lastElementChild;
  const follow = ui.output.scrollTop + ui.output.clientHeight >= ui.output.scrollHeight - 4;
  if (last && last.dataset.stream === stream) {
    last.textContent += text;
  } else {
    const span = document.createElement("span");
    span.dataset.stream = stream;
    span.textContent = text;
    ui.output.append(span);
  }
  if (follow) ui.output.scrollTop = ui.output.scrollHeight;
}

function runCode() {
  if (run) return;
  say("");
  ui.output.replaceChildren();
  setStatus("running…");
  ui.run.disabled = true;
  ui.kill.disabled = false;
  const done = () => {
    run = null;
    ui.run.disabled = false;
    ui.kill.disabled = true;
  };
  // With no list (no key yet, nothing ready) the server's default environment is asked for, and
  // the server's answer says what is wrong.
  run = startRun(session, ui.environment.value || "bare", ui.code.value, {
    output: appendOutput,
    exit(frame) {
      done();
      setStatus(describeExit(frame), frame.return_code === 0 ? "ok" : "failed");
      if (session) files.refresh().catch(fail);
    },
    error(text) {
      done();
      if (text.startsWith("unauthorized")) fail(new ApiError(401, "unauthorized", text));
      else say(text);
      setStatus(`failed: ${text}`, "failed");
    },
    notice: say,
  });
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
ui.code.addEventListener("keydown", onEditorKey);
ui.sendStdin.addEventListener("click", sendStdin);
ui.stdin.addEventListener("keydown", (event) => {
  if (event.key === "Enter") sendStdin();
});
ui.eof.addEventListener("click", () => run ? run.eof() : say("Nothing is running."));
ui.newSession.addEventListener("click", async () => {
  try {
    await showSession(await call("POST", "/v1/sessions", {environment: ui.environment.value}));
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
