package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.server.web.BodyDrain;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every refused upload reaches a client that writes its whole body before reading (python
 * {@code requests}, {@code httpx}) and one that waits for {@code 100 Continue} (curl), long before
 * the 120 s idle timeout. The bound is generous so a loaded machine does not flake: a server
 * that stops reading without answering blocks the client until the idle timeout.
 *
 * <p>Past the keep-alive drain, the server lingers before it closes, as nginx does: a client that
 * writes its whole body before reading ({@code http.client}, {@code urllib}) must finish writing
 * without a broken pipe, and then read its answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(VertxExtension.class)
class UploadRefusalIT {

  private static final Duration PROMPTLY = Duration.ofSeconds(10);
  private static final long MIB = 1 << 20;
  private static final long LIMIT = 10 * MIB;
  /** Bodies past the keep-alive drain (min(LIMIT, 4 MiB)) are answered and the connection closed. */
  private static final long PAST_THE_BOUND = 8 * MIB;
  /** Bodies within it are read and dropped, and the connection serves the next request. */
  private static final long WITHIN_THE_BOUND = MIB;

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("max_upload_size_bytes", LIMIT));
  /** A fresh session for each test (see TestServer.SessionPerTest). */
  @RegisterExtension
  final TestServer.SessionPerTest session = server.sessionPerTest();

  @BeforeAll
  void boundsFit() {
    assertThat(Math.min(LIMIT, BodyDrain.KEEP_ALIVE_DRAIN_BYTES)).isBetween(WITHIN_THE_BOUND, PAST_THE_BOUND - 1);
    assertThat(BodyDrain.lingerCeiling(LIMIT)).isGreaterThan(20 * MIB);
  }

  private RawHttpConnection connect() throws Exception {
    return new RawHttpConnection(server.server.port(), PROMPTLY);
  }

  private static Map<String, String> length(long size) {
    return Map.of("Content-Length", Long.toString(size));
  }

  private static void assertRefused(RawHttpConnection.Response response, int status, String code) throws Exception {
    assertThat(response.status()).as(response.statusLine() + " " + response.body()).isEqualTo(status);
    assertThat(TestServer.JSON.readTree(response.body()).get("error").get("code").asText()).isEqualTo(code);
  }

  /** Past the drain bound the answer says so, and the server closes once it is written. */
  private static void assertAnsweredAndClosed(RawHttpConnection connection, RawHttpConnection.Response response) {
    assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
    assertThat(connection.closedByServer()).as("the server closes the connection after its answer").isTrue();
  }

  /** Within the bound the body is read and dropped, and the connection serves the next request. */
  private void assertConnectionReusable(RawHttpConnection connection, RawHttpConnection.Response response)
      throws Exception {
    assertThat(response.header("Connection")).as("a drained connection stays open").isNotEqualToIgnoringCase("close");
    connection.writeHead("GET", "/v1/sessions/" + session.id(), Map.of());
    RawHttpConnection.Response next = connection.readResponse();
    assertThat(next.status()).as(next.body()).isEqualTo(200);
  }

  @Test
  @DisplayName("PUT of 20 MiB against a 10 MiB limit: 413 reaches a client that writes the whole body first")
  void oversizedPut() throws Exception {
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", session.files("/big.txt"), length(20 * MIB));
      connection.writeBody(20 * MIB);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 413, "payload_too_large");
      assertAnsweredAndClosed(connection, response);
    }
    assertThat(json(server.get(session.files(""))).get("files")).isEmpty();
  }

  @Test
  @DisplayName("A chunked PUT that streams past the limit gets 413 while it is still sending")
  void oversizedChunkedPut() throws Exception {
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", session.files("/big.txt"), Map.of("Transfer-Encoding", "chunked"));
      connection.writeChunkedBody(20 * MIB);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 413, "payload_too_large");
      assertAnsweredAndClosed(connection, response);
    }
    assertThat(json(server.get(session.files(""))).get("files")).isEmpty();
  }

  @Test
  @DisplayName("A chunked PUT one byte past the limit: the refusal closes the connection, however fast the rest arrives")
  void chunkedPutJustPastTheLimit() throws Exception {
    // The last byte and the end of the body arrive together, while the refusal is on its way to
    // the answer: the server must have stopped reading, or it would see the body ended and keep
    // a connection it said nothing about.
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", session.files("/big.txt"), Map.of("Transfer-Encoding", "chunked"));
      assertThat(connection.writeChunkedBody(LIMIT + 1)).isEqualTo(LIMIT + 1);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 413, "payload_too_large");
      assertAnsweredAndClosed(connection, response);
    }
    assertThat(json(server.get(session.files(""))).get("files")).isEmpty();
  }

  @Test
  @DisplayName("PUT of 10 MiB + 1 written whole before reading (http.client, urllib): every byte is taken, then 413")
  void lingeringCloseLetsTheClientFinishWriting() throws Exception {
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", session.files("/big.txt"), length(LIMIT + 1));
      assertThat(connection.writeBody(LIMIT + 1)).as("bytes written before the server closed").isEqualTo(LIMIT + 1);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 413, "payload_too_large");
      assertAnsweredAndClosed(connection, response);
    }
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", session.files("/big.txt"), Map.of("Transfer-Encoding", "chunked"));
      assertThat(connection.writeChunkedBody(20 * MIB)).isEqualTo(20 * MIB);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 413, "payload_too_large");
      assertAnsweredAndClosed(connection, response);
    }
  }

  @Test
  @DisplayName("A refused client that goes quiet mid-body is closed once it has been idle a while, not held")
  void lingeringCloseEndsWhenTheClientGoesQuiet() throws Exception {
    Duration idleAndMargin = Duration.ofSeconds(BodyDrain.LINGER_IDLE_SECONDS).plus(PROMPTLY);
    try (RawHttpConnection connection = new RawHttpConnection(server.server.port(), idleAndMargin)) {
      connection.writeHead("PUT", session.files("/big.txt"), length(20 * MIB));
      connection.writeBody(MIB);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 413, "payload_too_large");
      assertAnsweredAndClosed(connection, response);
    }
  }

  @Test
  @DisplayName("A refused body streamed past the lingering ceiling is cut off")
  void lingeringCloseHasAByteCeiling() throws Exception {
    // What the server takes: the body up to the refusal (the limit), then at most the ceiling,
    // then what the two sockets' buffers hold when it closes. Far more than that is offered.
    long endless = LIMIT + BodyDrain.lingerCeiling(LIMIT) + 64 * MIB;
    try (RawHttpConnection connection = new RawHttpConnection(server.server.port(), Duration.ofSeconds(60))) {
      connection.writeHead("PUT", session.files("/big.txt"), Map.of("Transfer-Encoding", "chunked"));
      assertThat(connection.writeChunkedBody(endless)).as("bytes the server took").isLessThan(endless);
    }
    assertThat(json(server.get(session.files(""))).get("files")).isEmpty();
  }

  @Test
  @DisplayName("PUT of 10 MiB + 1 from python http.client, requests and httpx, and from curl: each reads its 413")
  void realClientsReadTheRefusal() throws Exception {
    Path dir = Files.createTempDirectory("bubble-sandbox-refusal-");
    try {
      Path script = Files.writeString(dir.resolve("put.py"), PYTHON_PUT);
      Path body = dir.resolve("body.txt");
      try (var out = Files.newOutputStream(body)) {
        out.write(new byte[(int) (LIMIT + 1)]);
      }
      String url = "http://127.0.0.1:" + server.server.port() + session.files("/big.txt");
      for (String client : List.of("http.client", "requests", "httpx")) {
        assertThat(run(List.of(PYTHON.toString(), script.toString(), client, url, Long.toString(LIMIT + 1))))
            .as(client).isEqualTo("413");
      }
      // curl waits for 100 Continue past 1 MiB; with "Expect:" emptied it writes the body first.
      for (String expect : List.of("Expect: 100-continue", "Expect:")) {
        assertThat(run(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", expect,
            "-T", body.toString(), url))).as("curl with " + expect).isEqualTo("413");
      }
    } finally {
      dev.bubblesandbox.HostFiles.deleteRecursively(dir);
    }
    assertThat(json(server.get(session.files(""))).get("files")).isEmpty();
  }

  private static final Path PYTHON = Path.of(".ci", ".venv", "bin", "python");

  /** One PUT from the named Python client; prints the status, or the exception the client raised. */
  private static final String PYTHON_PUT = """
      import http.client, sys, urllib.parse
      import httpx, requests
      client, url, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
      body = b"a" * size
      try:
          if client == "http.client":
              # As urllib does: the whole body is written before the answer is read.
              parts = urllib.parse.urlsplit(url)
              connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
              connection.request("PUT", parts.path, body=body)
              status = connection.getresponse().status
          elif client == "requests":
              status = requests.put(url, data=body, timeout=30).status_code
          else:
              status = httpx.put(url, content=body, timeout=30).status_code
          print(status, end="")
      except Exception as failure:
          print(type(failure).__name__, failure, end="")
      """;

  private static String run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish");
    }
    return printed;
  }

  @Test
  @DisplayName("PUT of 8 MiB to a missing session: 404, then the connection is closed")
  void missingSession() throws Exception {
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", "/v1/sessions/nope/files/a.txt", length(PAST_THE_BOUND));
      connection.writeBody(PAST_THE_BOUND);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 404, "session_not_found");
      assertAnsweredAndClosed(connection, response);
    }
  }

  @Test
  @DisplayName("PUT of 8 MiB to a busy session: 409")
  void busySession() throws Exception {
    CompletableFuture<JsonNode> running = CompletableFuture.supplyAsync(() -> {
      try {
        return server.execute(session.id(), "import time; time.sleep(4)");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(20))
        .until(() -> json(server.get("/v1/sessions/" + session.id())).get("busy").asBoolean());
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", session.files("/late.txt"), length(PAST_THE_BOUND));
      connection.writeBody(PAST_THE_BOUND);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 409, "session_busy");
      assertAnsweredAndClosed(connection, response);
    }
    running.get(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("Refusals within the drain bound (415, 404, 400) keep the connection for the next request")
  void refusalsWithinTheBound() throws Exception {
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", session.files("/run.sh"), length(WITHIN_THE_BOUND));
      connection.writeBody(WITHIN_THE_BOUND);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 415, "unsupported_extension");
      assertConnectionReusable(connection, response);

      connection.writeHead("PUT", "/v1/sessions/nope/files/a.txt", length(WITHIN_THE_BOUND));
      connection.writeBody(WITHIN_THE_BOUND);
      response = connection.readResponse();
      assertRefused(response, 404, "session_not_found");
      assertConnectionReusable(connection, response);

      connection.writeHead("PUT", session.files("/a/%2e%2e/%2e%2e/escape.txt"), length(WITHIN_THE_BOUND));
      connection.writeBody(WITHIN_THE_BOUND);
      response = connection.readResponse();
      assertRefused(response, 400, "invalid_path");
      assertConnectionReusable(connection, response);
    }
  }

  @Test
  @DisplayName("Refusals before the upload handler (400 bad path, 404 no route) reach a client sending 8 MiB")
  void refusedBeforeTheHandler() throws Exception {
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", session.files("/a/%2e%2e/%2e%2e/escape.txt"), length(PAST_THE_BOUND));
      connection.writeBody(PAST_THE_BOUND);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 400, "invalid_path");
      assertAnsweredAndClosed(connection, response);
    }
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", "/v1/nowhere", length(PAST_THE_BOUND));
      connection.writeBody(PAST_THE_BOUND);
      assertRefused(connection.readResponse(), 404, "not_found");
    }
  }

  @Test
  @DisplayName("Without the API key, an 8 MiB upload gets its 401")
  void unauthorized() throws Exception {
    try (TestServer guarded = TestServer.start(Map.of("api_key", "refusal-test-key-0123456789", "max_upload_size_bytes", LIMIT));
        RawHttpConnection connection = new RawHttpConnection(guarded.server.port(), PROMPTLY)) {
      connection.writeHead("PUT", "/v1/sessions/any/files/a.txt", length(PAST_THE_BOUND));
      connection.writeBody(PAST_THE_BOUND);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 401, "unauthorized");
      assertAnsweredAndClosed(connection, response);
    }
  }

  @Test
  @DisplayName("Multipart POST: 413 for 20 MiB and 404 for 8 MiB to a missing session, both while sending")
  void multipart() throws Exception {
    try (RawHttpConnection connection = connect()) {
      sendMultipart(connection, session.files(""), 20 * MIB);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 413, "payload_too_large");
      assertAnsweredAndClosed(connection, response);
    }
    try (RawHttpConnection connection = connect()) {
      sendMultipart(connection, "/v1/sessions/nope/files", PAST_THE_BOUND);
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 404, "session_not_found");
      assertAnsweredAndClosed(connection, response);
    }
    assertThat(json(server.get(session.files(""))).get("files")).isEmpty();
  }

  @Test
  @DisplayName("Expect: 100-continue: 100 Continue once the checks pass, then the upload lands with 201")
  void continueWhenAccepted() throws Exception {
    try (RawHttpConnection connection = connect()) {
      Map<String, String> headers = new LinkedHashMap<>(length(2 * MIB));
      headers.put("Expect", "100-continue");
      connection.writeHead("PUT", session.files("/data.csv"), headers);
      RawHttpConnection.Response interim = connection.readResponse();
      assertThat(interim.statusLine()).isEqualTo("HTTP/1.1 100 Continue");
      connection.writeBody(2 * MIB);
      RawHttpConnection.Response response = connection.readResponse();
      assertThat(response.status()).as(response.body()).isEqualTo(201);
    }
    assertThat(json(server.get(session.files(""))).get("files").get(0).get("size").asLong()).isEqualTo(2 * MIB);
  }

  @Test
  @DisplayName("Expect: 100-continue: a refusal (413, 404, 415, 400) is the final status, with no body sent")
  void finalStatusInsteadOfContinue() throws Exception {
    assertRefusedWithoutBody(session.files("/big.txt"), 20 * MIB, 413, "payload_too_large");
    assertRefusedWithoutBody("/v1/sessions/nope/files/a.txt", MIB, 404, "session_not_found");
    assertRefusedWithoutBody(session.files("/run.sh"), MIB, 415, "unsupported_extension");
    assertRefusedWithoutBody(session.files("/a/%2e%2e/%2e%2e/escape.txt"), MIB, 400, "invalid_path");
    assertThat(json(server.get(session.files(""))).get("files")).isEmpty();
  }

  @Test
  @DisplayName("Expect: 100-continue on a multipart POST: 100 when the session exists, 404 before the body when not")
  void multipartContinue() throws Exception {
    try (RawHttpConnection connection = connect()) {
      String boundary = "bubble-boundary";
      byte[] body = ("--" + boundary + "\r\n"
          + "Content-Disposition: form-data; name=\"file\"; filename=\"one.txt\"\r\n\r\nfirst\r\n"
          + "--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
      connection.writeHead("POST", session.files(""), Map.of("Content-Type", "multipart/form-data; boundary=" + boundary,
          "Content-Length", Integer.toString(body.length), "Expect", "100-continue"));
      assertThat(connection.readResponse().statusLine()).isEqualTo("HTTP/1.1 100 Continue");
      connection.writeBytes(body);
      RawHttpConnection.Response response = connection.readResponse();
      assertThat(response.status()).as(response.body()).isEqualTo(201);
    }
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("POST", "/v1/sessions/nope/files", Map.of(
          "Content-Type", "multipart/form-data; boundary=b", "Content-Length", Long.toString(MIB),
          "Expect", "100-continue"));
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, 404, "session_not_found");
      assertAnsweredAndClosed(connection, response);
    }
  }

  private void assertRefusedWithoutBody(String path, long size, int status, String code) throws Exception {
    try (RawHttpConnection connection = connect()) {
      connection.writeHead("PUT", path, Map.of("Content-Length", Long.toString(size), "Expect", "100-continue"));
      RawHttpConnection.Response response = connection.readResponse();
      assertRefused(response, status, code);
      // The client sends no body after a final status: the server must not wait for one.
      assertAnsweredAndClosed(connection, response);
    }
  }

  /** A multipart form with one file part of {@code size} bytes, written whole before any read. */
  private static void sendMultipart(RawHttpConnection connection, String path, long size) throws Exception {
    String boundary = "bubble-boundary";
    byte[] opening = ("--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] closing = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "multipart/form-data; boundary=" + boundary);
    headers.put("Content-Length", Long.toString(opening.length + size + closing.length));
    connection.writeHead("POST", path, headers);
    try {
      connection.writeBytes(opening);
      connection.writeBody(size);
      connection.writeBytes(closing);
    } catch (java.io.IOException closedEarly) {
      // The server answered and closed before the whole form was sent: read its answer.
    }
  }
}
