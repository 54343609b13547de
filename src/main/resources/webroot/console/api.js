// The HTTP API, spoken from the server's own page (same origin). The API key lives in memory;
// it reaches localStorage only when the user ticks "remember", and never the URL.

const STORAGE_KEY = "bubble-sandbox.api-key";

let apiKey = localStorage.getItem(STORAGE_KEY) || "";

export function key() {
  return apiKey;
}

export function remembered() {
  return localStorage.getItem(STORAGE_KEY) !== null;
}

export function setKey(value, remember) {
  apiKey = value;
  if (remember && value) {
    localStorage.setItem(STORAGE_KEY, value);
  } else {
    localStorage.removeItem(STORAGE_KEY);
  }
}

/** An error the API answered with: its code (e.g. "unauthorized"), message and HTTP status. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** fetch with the key; JSON in and out; throws ApiError for an error status. */
export async function call(method, path, body, raw = false) {
  const headers = {};
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  let payload;
  if (body instanceof Blob) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, {method, headers, body: payload, cache: "no-store"});
  if (!response.ok) {
    let code = `http_${response.status}`;
    let message = response.statusText;
    try {
      const error = (await response.json()).error;
      code = error.code;
      message = error.message;
    } catch (ignored) { /* not a JSON error body */ }
    throw new ApiError(response.status, code, message);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/** Path segments of a workspace file, each percent-encoded. */
export function filePath(sessionId, path) {
  return `/v1/sessions/${encodeURIComponent(sessionId)}/files/`
      + path.split("/").map(encodeURIComponent).join("/");
}

/** The console WebSocket; the key travels as the subprotocol bearer.<key>, never in the URL. */
export function openConsole(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const protocols = ["bubble-sandbox"];
  if (apiKey) protocols.push(`bearer.${apiKey}`);
  return new WebSocket(`${scheme}//${location.host}${path}`, protocols);
}
