// The output pane. A one-shot or plain session run shows only its own output; a kernel session
// keeps a transcript, one cell per execution (its code, its output in order, In [n] once the
// kernel has numbered it), since the kernel keeps what earlier cells made.
import {renderBundle, tracebackText} from "./results.js";

/** Cells kept on the page: the oldest go first. */
const KEPT_CELLS = 50;

/** Appends text of one stream to `container`, joined to its last piece when that is the same stream. */
export function appendText(container, stream, text) {
  const last = container.lastElementChild;
  if (last && last.dataset.stream === stream && !last.classList.contains("traceback")) {
    last.textContent += text;
  } else {
    const span = document.createElement("span");
    span.dataset.stream = stream;
    span.textContent = text;
    container.append(span);
  }
}

function span(className, content) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = content;
  return element;
}

/** One kernel execution's cell; `files` gives the workspace paths and downloads of spilled results. */
class Cell {
  constructor(code, files) {
    this.files = files;
    this.element = span("cell", "");
    this.element.dataset.testid = "cell";
    this.prompt = span("prompt", "In [*]:");
    this.prompt.dataset.testid = "prompt";
    const input = span("cell-in", "");
    input.append(this.prompt, " ", span("source", code));
    this.body = span("cell-out", "");
    this.element.append(input, this.body);
    this.outPrompts = [];
  }

  output(stream, text) {
    appendText(this.body, stream, text);
  }

  /** A display (kind "display") or the main result (kind "result") of this cell. */
  bundle(kind, data) {
    const shown = span(`bundle ${kind}`, "");
    if (kind === "result") {
      const out = span("out-prompt", "Out[*]:");
      this.outPrompts.push(out);
      shown.append(out, " ");
    }
    shown.append(renderBundle(data, this.files.href, this.files.download));
    this.body.append(shown);
  }

  /** The exit frame: the cell's number, its error, and what became of the kernel. */
  finish(frame) {
    const count = Number.isInteger(frame.execution_count) ? frame.execution_count : "*";
    this.prompt.textContent = `In [${count}]:`;
    this.outPrompts.forEach((out) => { out.textContent = `Out[${count}]:`; });
    if (frame.error) {
      const traceback = span("traceback", tracebackText(frame.error));
      traceback.dataset.stream = "stderr";
      this.body.append(traceback);
    }
    if (frame.kernel === "lost") {
      const why = frame.limit ? ` (limit: ${frame.limit})` : frame.killed ? " (killed)" : "";
      this.body.append(span("note", `The kernel ended${why}: the next run starts a fresh one.`));
    }
  }
}

export class Transcript {
  constructor(output) {
    this.output = output;
  }

  clear() {
    this.output.replaceChildren();
  }

  /** A line of its own between cells, e.g. that the kernel restarted. */
  note(text) {
    this.output.append(span("note", text));
    this.trim();
  }

  /** A new cell at the end for `code`. */
  begin(code, files) {
    const cell = new Cell(code, files);
    this.output.append(cell.element);
    this.trim();
    return cell;
  }

  trim() {
    while (this.output.children.length > KEPT_CELLS) this.output.firstElementChild.remove();
  }
}
