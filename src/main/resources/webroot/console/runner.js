// One run over the console WebSocket: a session's console, or a throwaway one (one-shot mode).
import {openConsole, call, ApiError} from "./api.js";

/**
 * Runs `script` and reports through `events`: output(stream, text), bundle(kind, data) for a
 * kernel's display and result frames, exit(frame), error(text). `stdin`: text the script reads,
 * given up front (a kernel reads no other). Returns {stdin(text), eof(), kill(), interrupt(), restart()}.
 */
export function startRun(sessionId, environment, script, events, stdin = null) {
  const path = sessionId
      ? `/v1/sessions/${encodeURIComponent(sessionId)}/console`
      : `/v1/console?environment=${encodeURIComponent(environment)}`;
  let socket;
  try {
    socket = openConsole(path);
  } catch (e) {
    // new WebSocket refuses a subprotocol with characters it may not carry.
    events.error("The API key has characters a browser cannot send to the console.");
    return {stdin() {}, eof() {}, kill() {}, interrupt() {}, restart() {}};
  }
  const id = `run-${Date.now()}`;
  let opened = false;
  let ended = false;
  const pending = [];
  const send = (message) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    else if (!opened) pending.push(message);
  };
  socket.onopen = () => {
    opened = true;
    const execute = {type: "execute", id, script};
    if (stdin !== null) execute.stdin = stdin;
    socket.send(JSON.stringify(execute));
    pending.splice(0).forEach((message) => socket.send(JSON.stringify(message)));
  };
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    switch (frame.type) {
      case "stdout":
      case "stderr":
        events.output(frame.type, frame.data);
        break;
      case "display":
      case "result":
        if (frame.id === id) events.bundle(frame.type, frame.data);
        break;
      case "exit":
        ended = true;
        events.exit(frame);
        socket.close(1000);
        break;
      case "error":
        events.notice(`${frame.code}: ${frame.message}`);
        if (frame.id === id && !ended) {   // the execute itself was refused
          ended = true;
          events.error(`${frame.code}: ${frame.message}`);
          socket.close(1000);
        }
        break;
      default:
        break;   // started, session
    }
  };
  socket.onclose = async (event) => {
    if (ended) return;
    ended = true;
    // A refused upgrade shows only as a close: ask the HTTP API why.
    let reason = `the console closed (${event.code})`;
    try {
      await call("GET", sessionId ? `/v1/sessions/${encodeURIComponent(sessionId)}` : "/v1/info");
    } catch (e) {
      if (e instanceof ApiError) reason = `${e.code}: ${e.message}`;
    }
    events.error(reason);
  };
  return {
    stdin: (text) => send({type: "stdin", data: text}),
    eof: () => send({type: "stdin", eof: true}),
    kill: () => send({type: "kill"}),
    interrupt: () => send({type: "interrupt"}),
    restart: () => send({type: "restart"}),
  };
}

/** "exit 0 · 2.01 s · CPU 14 ms · peak 9.8 MiB", plus what ended it. */
export function describeExit(frame) {
  const parts = [`exit ${frame.return_code}`, `${(frame.duration_ms / 1000).toFixed(2)} s`];
  if (frame.cpu_time_ms != null) parts.push(`CPU ${frame.cpu_time_ms} ms`);
  if (frame.memory_peak_bytes != null) parts.push(`peak ${(frame.memory_peak_bytes / 1048576).toFixed(1)} MiB`);
  if (frame.killed) parts.push("killed");
  if (frame.limit) parts.push(`limit: ${frame.limit}`);
  if (frame.truncated) parts.push("output truncated");
  if (frame.error) parts.push(frame.error.name);
  if (frame.kernel === "restarted") parts.push("new kernel");
  if (frame.kernel === "lost") parts.push("kernel lost");
  return parts.join(" · ");
}
