// Rich results of a kernel session: each MIME bundle becomes one inert element. Nothing a bundle
// holds is ever parsed as the page's own HTML (the code that made it is untrusted): text goes in
// as textContent, images as data: URLs in <img> (an SVG in <img> runs no script and loads
// nothing), and HTML only inside an iframe sandboxed with no permission at all: no script, an
// opaque origin of its own, so it cannot reach the page, the key in its memory, or the API. The
// iframe also inherits the page's Content-Security-Policy.

/** The representation shown of a bundle: the first of these it has, as a notebook picks. */
const PREFERRED = ["image/png", "image/svg+xml", "text/html", "text/markdown", "text/latex",
  "application/json", "text/plain"];

/** What the kernel wrote to .results/ instead of a value larger than max_inline_result_bytes. */
function spilled(value) {
  return value !== null && typeof value === "object" && typeof value.file === "string"
      && /^\.results\/[^/]+$/.test(value.file) && value.file !== ".results/.."
      && typeof value.mime === "string";
}

function text(content, className) {
  const element = document.createElement("span");
  element.className = `result-text ${className}`;
  element.textContent = content;
  return element;
}

function image(src, mime) {
  const element = document.createElement("img");
  element.className = "result-image";
  element.alt = mime;
  element.dataset.mime = mime;
  element.src = src;
  return element;
}

/**
 * HTML in an iframe that may do nothing but show it. Its own policy, ahead of the markup (a later
 * one could only narrow it), adds to the page's that it may load nothing but data: images and the
 * page's stylesheet for tables. The one request it can cause is a click on a link in it: a GET
 * without the key (never a cookie), whose answer the page's frame-src 'none' keeps out of the frame.
 */
function html(markup) {
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "");
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.title = "HTML result";
  const sheet = new URL("console/frame.css", document.baseURI).href;
  const policy = `default-src 'none'; img-src data:; style-src ${sheet}`;
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}">`
      + `<link rel="stylesheet" href="${sheet}">${markup}`;
  const box = document.createElement("div");
  box.className = "result-html";
  box.append(frame);
  return box;
}

/** A link to a spilled result in the session's workspace; download(path) fetches it with the key. */
function fileLink(reference, href, download) {
  const link = document.createElement("a");
  link.className = "result-file";
  link.href = href(reference.file);
  link.download = reference.file.split("/").pop();
  link.dataset.file = reference.file;
  const size = typeof reference.bytes === "number" ? `, ${reference.bytes} B` : "";
  link.textContent = `${reference.file} (${reference.mime}${size})`;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    download(reference.file);
  });
  return link;
}

/**
 * The element showing one bundle ({MIME: value}). `href(path)` is a workspace file's API path;
 * `download(path)` downloads it.
 */
export function renderBundle(bundle, href, download) {
  const mime = PREFERRED.find((type) => bundle && Object.hasOwn(bundle, type))
      || Object.keys(bundle || {}).find((type) => typeof bundle[type] === "string");
  if (!mime) return text(JSON.stringify(bundle), "plain");
  const value = bundle[mime];
  if (spilled(value)) return fileLink(value, href, download);
  if (mime === "application/json") return text(JSON.stringify(value, null, 2), "json");
  if (typeof value !== "string") return text(JSON.stringify(value), "plain");
  switch (mime) {
    case "image/png":
      return image(`data:image/png;base64,${value.replace(/[^A-Za-z0-9+/=]/g, "")}`, mime);
    case "image/svg+xml":
      return image(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(value)}`, mime);
    case "text/html":
      return html(value);
    default:
      return text(value, mime === "text/plain" ? "plain" : mime.split("/")[1]);
  }
}

/** A traceback as text: IPython colours its lines with ANSI escapes, which a page cannot show. */
export function tracebackText(error) {
  const lines = Array.isArray(error.traceback) && error.traceback.length
    ? error.traceback : [`${error.name}: ${error.value}`];
  const ansi = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*[A-Za-z]", "g");
  return lines.map((line) => String(line).replace(/\n$/, "").replace(ansi, "")).join("\n");
}
