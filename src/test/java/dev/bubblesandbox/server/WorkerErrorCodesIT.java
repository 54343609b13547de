package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.server.ConsoleClient.Frame;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refusal raised in the sandbox worker reaches the client with its own code, through the
 * event bus, instead of {@code sandbox_unavailable}: a real server, real bwrap, real clients.
 * A NUL character in a command's argv cannot be handed to the launcher; the worker refuses it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerErrorCodesIT {

  private static final String NUL_COMMAND = "{\"command\": [\"echo\", \"a\\u0000b\"]}";

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("execution_timeout_seconds", 10));

  private void assertInvalidRequest(HttpResponse<String> response) throws Exception {
    JsonNode error = json(response).get("error");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(error.get("code").asText()).isEqualTo("invalid_request");
    assertThat(error.get("message").asText()).isNotBlank().doesNotContain(server.workspace.toString())
        .doesNotContain("/tmp").doesNotContain("\tat ");
    assertThat(response.headers().firstValue("Retry-After")).isEmpty();
  }

  @Test
  @DisplayName("One-shot: the worker's invalid launch answers 400 invalid_request, not 503 sandbox_unavailable")
  void oneShot() throws Exception {
    assertInvalidRequest(server.post("/v1/execute", NUL_COMMAND));
    // The refusal released its slot and left the server working.
    assertThat(json(server.post("/v1/execute", "{\"command\": [\"echo\", \"ok\"]}")).get("stdout").asText())
        .isEqualTo("ok\n");
  }

  @Test
  @DisplayName("Session: the same refusal, without the workspace's host path, and the session is free again")
  void inSession() throws Exception {
    String session = server.createSession("{}");
    assertInvalidRequest(server.post("/v1/sessions/" + session + "/execute", NUL_COMMAND));
    assertThat(json(server.get("/v1/sessions/" + session)).get("busy").asBoolean()).isFalse();
    assertThat(server.execute(session, "print(2)").get("stdout").asText()).isEqualTo("2\n");
  }

  @Test
  @DisplayName("Console: the refusal is an error frame with invalid_request and the execute's id")
  void console() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = ConsoleClient.connect(server.http,
        URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/sessions/" + session + "/console"), true)) {
      client.send("{\"type\": \"execute\", \"id\": \"n1\", \"command\": [\"echo\", \"a\\u0000b\"]}");
      Frame error = client.next(30);
      assertThat(error.json().get("type").asText()).isEqualTo("error");
      assertThat(error.json().get("code").asText()).isEqualTo("invalid_request");
      assertThat(error.json().get("id").asText()).isEqualTo("n1");
      assertThat(error.json().get("message").asText()).doesNotContain(server.workspace.toString());
      client.send("{\"type\": \"execute\", \"id\": \"n2\", \"command\": [\"echo\", \"fine\"]}");
      List<Frame> frames = client.until("exit", 30);
      assertThat(frames.get(frames.size() - 1).json().get("return_code").asInt()).isZero();
    }
  }
}
