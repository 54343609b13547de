package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The session leases as a client meets them on a real server whose sessions go idle after one
 * second: what holds a session (an upload still arriving, an execution still running) keeps
 * the idle reaper and a client's end away, and once released the session is reaped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionLeasesIT {

  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(Map.of("session_idle_timeout_seconds", 1));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  @DisplayName("An upload still arriving holds its session: not reaped, not ended, then reaped once it is in")
  void uploadHoldsSession() throws Exception {
    String id = server.createSession("{}");
    try (RawHttpConnection upload = new RawHttpConnection(server.server.port(), Duration.ofSeconds(60))) {
      upload.writeHead("PUT", "/v1/sessions/" + id + "/files/slow.txt", Map.of("Content-Length", "10"));
      upload.writeBytes("hello".getBytes(StandardCharsets.US_ASCII));
      // Past the idle timeout by several reaper periods.
      Thread.sleep(3_500);   // deliberately: nothing may happen to a session in use
      assertThat(server.get("/v1/sessions/" + id).statusCode()).isEqualTo(200);
      assertRefused(server.delete("/v1/sessions/" + id), 409, "session_busy");
      upload.writeBytes("world".getBytes(StandardCharsets.US_ASCII));
      RawHttpConnection.Response placed = upload.readResponse();
      assertThat(placed.status()).as(placed.body()).isEqualTo(201);
    }
    assertReaped(id);
  }

  @Test
  @DisplayName("A running execution holds its session past the idle timeout; it is reaped after")
  void executionHoldsSession() throws Exception {
    String id = server.createSession("{}");
    assertThat(server.execute(id, "import time; time.sleep(3); print('still here')").get("stdout").asText())
        .isEqualTo("still here\n");
    assertReaped(id);
  }

  private void assertReaped(String id) throws Exception {
    await().atMost(Duration.ofSeconds(15)).until(() -> server.get("/v1/sessions/" + id).statusCode() != 200);
    assertRefused(server.get("/v1/sessions/" + id), 404, "session_not_found");
  }

  private static void assertRefused(HttpResponse<String> response, int status, String code) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(TestServer.json(response).get("error").get("code").asText()).isEqualTo(code);
  }
}
