// The file panel: the session workspace's files, uploads (picked or dropped), downloads,
// deletes, and PNGs shown inline. Downloads go through fetch, so the key stays in a header.
import {call, filePath} from "./api.js";

export class FilePanel {
  constructor(table, images, report) {
    this.body = table.querySelector("tbody");
    this.images = images;
    this.report = report;
    this.sessionId = null;
    this.imageUrls = [];
  }

  async show(sessionId) {
    this.sessionId = sessionId;
    await this.refresh();
  }

  async refresh() {
    this.body.replaceChildren();
    this.imageUrls.forEach(URL.revokeObjectURL);
    this.imageUrls = [];
    this.images.replaceChildren();
    if (!this.sessionId) return;
    const {files} = await call("GET", `/v1/sessions/${encodeURIComponent(this.sessionId)}/files`);
    for (const file of files) {
      this.body.append(this.row(file));
      if (file.path.toLowerCase().endsWith(".png")) this.showImage(file.path);
    }
  }

  row(file) {
    const row = document.createElement("tr");
    row.dataset.path = file.path;
    const name = document.createElement("td");
    name.textContent = file.path;
    const size = document.createElement("td");
    size.className = "size";
    size.textContent = `${file.size} B`;
    const actions = document.createElement("td");
    actions.append(this.button("download", () => this.download(file.path)),
        this.button("delete", () => this.remove(file.path)));
    row.append(name, size, actions);
    return row;
  }

  button(label, action) {
    const button = document.createElement("button");
    button.textContent = label;
    button.dataset.action = label;
    button.addEventListener("click", () => action().catch((e) => this.report(e.message)));
    return button;
  }

  async upload(fileList) {
    if (!this.sessionId) {
      this.report("Start a session first: one-shot runs have no workspace to upload to.");
      return;
    }
    for (const file of fileList) {
      await call("PUT", filePath(this.sessionId, file.name), file);
    }
    await this.refresh();
  }

  async blob(path) {
    return (await call("GET", filePath(this.sessionId, path), undefined, true)).blob();
  }

  async download(path) {
    const url = URL.createObjectURL(await this.blob(path));
    const link = document.createElement("a");
    link.href = url;
    link.download = path.split("/").pop();
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async remove(path) {
    await call("DELETE", filePath(this.sessionId, path));
    await this.refresh();
  }

  async showImage(path) {
    const url = URL.createObjectURL(await this.blob(path));
    this.imageUrls.push(url);
    const figure = document.createElement("figure");
    const image = document.createElement("img");
    image.src = url;
    image.alt = path;
    image.dataset.path = path;
    const caption = document.createElement("figcaption");
    caption.textContent = path;
    figure.append(image, caption);
    this.images.append(figure);
  }
}
