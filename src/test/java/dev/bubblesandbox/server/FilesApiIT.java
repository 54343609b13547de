package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.HttpApiIT.assertError;
import static dev.bubblesandbox.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Uploads, listings, downloads and deletes, including what a hostile script plants. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilesApiIT {

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("max_upload_size_bytes", 4096));
  /** A fresh session for each test (see TestServer.SessionPerTest). */
  @RegisterExtension
  final TestServer.SessionPerTest session = server.sessionPerTest();

  @Test
  @DisplayName("Upload, list, download and delete a file; the script sees it and writes another")
  void roundTrip() throws Exception {
    HttpResponse<String> put = server.putBytes(session.files("/data/in.csv"), "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

    assertThat(server.execute(session.id(), "print(open('data/in.csv').read().splitlines()[1]); "
        + "open('out.txt', 'w').write('made by script')").get("stdout").asText()).isEqualTo("1,2\n");

    JsonNode listing = json(server.get(session.files("")));
    assertThat(listing.get("files").findValuesAsText("path")).containsExactly("data/in.csv", "out.txt");
    assertThat(listing.get("files").get(0).get("size").asLong()).isEqualTo(8);
    assertThat(listing.get("files").get(0).has("modified")).isTrue();

    HttpResponse<byte[]> download = server.download(session.files("/out.txt"));
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(new String(download.body(), StandardCharsets.UTF_8)).isEqualTo("made by script");

    assertThat(server.delete(session.files("/data/in.csv")).statusCode()).isEqualTo(204);
    assertError(server.get(session.files("/data/in.csv")), 404, "file_not_found");
    assertError(server.delete(session.files("/data/in.csv")), 404, "file_not_found");
  }

  @Test
  @DisplayName("PUT answers 201 for a new file and 200 for one it replaces")
  void replacedFileIs200() throws Exception {
    HttpResponse<String> created = server.putBytes(session.files("/notes.txt"), "v1".getBytes(StandardCharsets.UTF_8));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    HttpResponse<String> replaced = server.putBytes(session.files("/notes.txt"), "v2!".getBytes(StandardCharsets.UTF_8));
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    assertThat(json(replaced).get("size").asLong()).isEqualTo(3);
    assertThat(new String(server.download(session.files("/notes.txt")).body(), StandardCharsets.UTF_8)).isEqualTo("v2!");
    assertThat(json(server.get(session.files(""))).get("files").findValuesAsText("path")).containsExactly("notes.txt");
    // A file the script wrote is replaced too.
    server.execute(session.id(), "open('made.txt', 'w').write('by script')");
    assertThat(server.putBytes(session.files("/made.txt"), "mine".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("Downloads name the file: filename for ASCII, filename* (UTF-8) for any other name, no quote or CR/LF")
  void downloadNamesTheFile() throws Exception {
    server.putBytes(session.files("/data/report.csv"), "a,b\n".getBytes(StandardCharsets.UTF_8));
    assertThat(server.download(session.files("/data/report.csv")).headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"report.csv\"");

    // "données €.csv", sent percent-encoded as UTF-8
    assertThat(server.putBytes(session.files("/donn%C3%A9es%20%E2%82%AC.csv"), "x".getBytes(StandardCharsets.UTF_8))
        .statusCode()).isEqualTo(201);
    HttpResponse<byte[]> accented = server.download(session.files("/donn%C3%A9es%20%E2%82%AC.csv"));
    assertThat(accented.statusCode()).isEqualTo(200);
    assertThat(accented.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"donn_es _.csv\"; filename*=UTF-8''donn%C3%A9es%20%E2%82%AC.csv");

    // A name the script chose to break out of the quoted string and the header line.
    server.execute(session.id(), "open('say \"hi\"\\r\\nX-Injected: 1.txt', 'w').write('q')");
    HttpResponse<byte[]> hostile = server.download(session.files("/say%20%22hi%22%0D%0AX-Injected:%201.txt"));
    assertThat(hostile.statusCode()).isEqualTo(200);
    assertThat(hostile.headers().firstValue("X-Injected")).isEmpty();
    assertThat(hostile.headers().firstValue("Content-Disposition")).hasValue(
        "attachment; filename=\"say _hi___X-Injected: 1.txt\"; filename*=UTF-8''say%20%22hi%22%0D%0AX-Injected%3A%201.txt");
  }

  @Test
  @DisplayName("Uploaded files stay writable by the sandbox")
  void uploadedFilesAreTheSandboxes() throws Exception {
    server.putBytes(session.files("/notes.txt"), "v1".getBytes(StandardCharsets.UTF_8));
    JsonNode result = server.execute(session.id(), "open('notes.txt', 'a').write('+v2'); print(open('notes.txt').read())");
    assertThat(result.get("stdout").asText()).as(result.toString()).isEqualTo("v1+v2\n");
  }

  @Test
  @DisplayName("Multipart upload places every file part at its file name")
  void multipart() throws Exception {
    String boundary = "----bubble" + System.nanoTime();
    String body = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"one.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\nfirst\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"two.json\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"n\": 2}\r\n"
        + "--" + boundary + "--\r\n";
    HttpResponse<String> response = server.http.send(HttpRequest.newBuilder(server.uri(session.files("")))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    assertThat(json(server.get(session.files(""))).get("files").findValuesAsText("path")).containsExactly("one.txt", "two.json");
    assertThat(new String(server.download(session.files("/two.json")).body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\": 2}");
  }

  @Test
  @DisplayName("Uploads: 413 past the size limit, 415 for other extensions, 400 for bad paths; nothing written")
  void uploadRefusals() throws Exception {
    assertError(server.putBytes(session.files("/big.txt"), new byte[5000]), 413, "payload_too_large");
    assertError(server.putBytes(session.files("/run.sh"), "x".getBytes()), 415, "unsupported_extension");
    assertError(server.putBytes(session.files("/noext"), "x".getBytes()), 415, "unsupported_extension");
    assertError(server.putBytes(session.files("/%2e%2e/escape.txt"), "x".getBytes()), 400, "invalid_path");
    assertError(server.putBytes(session.files("/a/%2e%2e/%2e%2e/escape.txt"), "x".getBytes()), 400, "invalid_path");
    assertError(server.putBytes(session.files("//etc/escape.txt"), "x".getBytes()), 400, "invalid_path");
    assertError(server.putBytes(session.files("/nul%00.txt"), "x".getBytes()), 400, "invalid_path");
    assertError(server.putBytes(session.files("/" + "n".repeat(300) + ".txt"), "x".getBytes()), 400, "invalid_path");
    assertThat(json(server.get(session.files(""))).get("files")).isEmpty();
    assertThat(Files.exists(server.workspace.resolve("sessions/escape.txt"))).isFalse();
  }

  @Test
  @DisplayName("Chunked uploads past the limit are cut off with 413 and leave nothing behind")
  void chunkedUploadTooLarge() throws Exception {
    HttpResponse<String> response = server.http.send(HttpRequest.newBuilder(server.uri(session.files("/stream.txt")))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[64 * 1024])))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(413);
    try (var walk = Files.walk(server.workspace.resolve("sessions").resolve(session.id()))) {
      assertThat(walk.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  @DisplayName("Links planted by a script never lead a download or upload out of the workspace")
  void plantedLinks() throws Exception {
    Path outside = Files.createTempDirectory("bubble-outside-");
    Files.writeString(outside.resolve("secret.txt"), "host secret");
    server.execute(session.id(), "import os\n"
        + "os.symlink('/etc/passwd', 'out.txt')\n"
        + "os.symlink('/', 'd')\n"
        + "os.symlink('" + outside + "', 'up')\n");

    HttpResponse<byte[]> link = server.download(session.files("/out.txt"));
    assertThat(link.statusCode()).isEqualTo(400);
    assertThat(new String(link.body(), StandardCharsets.UTF_8)).doesNotContain("root:");
    HttpResponse<byte[]> throughDir = server.download(session.files("/d/etc/passwd"));
    assertThat(throughDir.statusCode()).isEqualTo(400);
    assertThat(new String(throughDir.body(), StandardCharsets.UTF_8)).doesNotContain("root:");
    assertThat(server.download(session.files("/up/secret.txt")).statusCode()).isEqualTo(400);

    assertError(server.putBytes(session.files("/up/x.txt"), "planted".getBytes()), 400, "invalid_path");
    assertThat(Files.exists(outside.resolve("x.txt"))).isFalse();
    assertError(server.delete(session.files("/up/secret.txt")), 400, "invalid_path");
    assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("host secret");

    // Uploading onto the link replaces the link, it does not write through it.
    assertThat(server.putBytes(session.files("/out.txt"), "mine".getBytes()).statusCode()).isEqualTo(200);
    assertThat(Files.readString(Path.of("/etc/passwd"))).doesNotContain("mine");
    assertThat(new String(server.download(session.files("/out.txt")).body(), StandardCharsets.UTF_8)).isEqualTo("mine");

    // Deleting a link removes the link itself, never its target.
    assertThat(server.delete(session.files("/up")).statusCode()).isEqualTo(204);
    assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("host secret");
    assertThat(json(server.get(session.files(""))).get("files").findValuesAsText("path")).containsExactly("out.txt");
    dev.bubblesandbox.HostFiles.deleteRecursively(outside);
  }

  @Test
  @DisplayName("A FIFO hangs neither a download nor the listing; odd names keep the listing valid JSON")
  void fifoAndOddNames() throws Exception {
    server.execute(session.id(), "import os\n"
        + "os.mkfifo('pipe.txt')\n"
        + "open('new\\nline.txt', 'w').write('n')\n"
        + "open(b'bad\\xff\\xfename.txt', 'w').write('b')\n"
        + "os.mkdir('locked'); open('locked/f.txt', 'w').write('l'); os.chmod('locked', 0)\n");
    CompletableFuture<HttpResponse<byte[]>> download = CompletableFuture.supplyAsync(() -> {
      try {
        return server.download(session.files("/pipe.txt"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(download.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(400);

    HttpResponse<String> listing = server.http.send(HttpRequest.newBuilder(server.uri(session.files("")))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(listing.statusCode()).isEqualTo(200);
    JsonNode names = json(listing).get("files");
    assertThat(names.findValuesAsText("path")).contains("new\nline.txt").doesNotContain("pipe.txt");
    assertThat(names.findValuesAsText("path")).anyMatch(name -> name.startsWith("bad"));

    // A folder the script locked (chmod 000) is still deleted.
    assertThat(server.delete(session.files("/locked")).statusCode()).isEqualTo(204);
    assertThat(json(server.get(session.files(""))).get("files").findValuesAsText("path")).noneMatch(p -> p.startsWith("locked"));
  }

  @Test
  @DisplayName("File access waits for no execution: 409 while one runs")
  void busyDuringExecution() throws Exception {
    CompletableFuture<JsonNode> running = CompletableFuture.supplyAsync(() -> {
      try {
        return server.execute(session.id(), "import time; time.sleep(2)");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
        .until(() -> json(server.get("/v1/sessions/" + session.id())).get("busy").asBoolean());
    assertError(server.putBytes(session.files("/late.txt"), "x".getBytes()), 409, "session_busy");
    assertError(server.get(session.files("")), 409, "session_busy");
    running.get(30, TimeUnit.SECONDS);
    assertThat(server.putBytes(session.files("/late.txt"), "x".getBytes()).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("Unknown sessions get 404 on every file route")
  void unknownSession() throws Exception {
    assertError(server.get("/v1/sessions/nope/files"), 404, "session_not_found");
    assertError(server.putBytes("/v1/sessions/nope/files/a.txt", "x".getBytes()), 404, "session_not_found");
    assertError(server.get("/v1/sessions/nope/files/a.txt"), 404, "session_not_found");
  }
}
