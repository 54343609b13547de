package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.TestServer.json;
import static dev.bubblesandbox.server.TestServer.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each row of the SPEC §4 table against a real server, with every status listed there. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiIT {

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("execution_timeout_seconds", 5));

  @Test
  @DisplayName("GET /v1/environments lists both shipped environments, ready")
  void environments() throws Exception {
    HttpResponse<String> response = server.get("/v1/environments");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode environments = json(response).get("environments");
    assertThat(environments.findValuesAsText("name")).contains("bare", "pandas-only");
    for (JsonNode environment : environments) {
      assertThat(environment.get("ready").asBoolean()).isTrue();
      assertThat(environment.get("python_version").asText()).startsWith("3.");
      assertThat(environment.has("dependencies")).isTrue();
      assertThat(environment.has("description")).isTrue();
    }
  }

  @Test
  @DisplayName("POST /v1/execute runs a one-shot script and returns the result")
  void oneShot() throws Exception {
    HttpResponse<String> response = server.post("/v1/execute",
        "{\"environment\": \"bare\", \"script\": \"import sys; print('hi'); print('err', file=sys.stderr)\"}");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode result = json(response);
    assertThat(result.get("stdout").asText()).isEqualTo("hi\n");
    assertThat(result.get("stderr").asText()).isEqualTo("err\n");
    assertThat(result.get("return_code").asInt()).isZero();
    assertThat(result.get("timed_out").asBoolean()).isFalse();
    assertThat(result.get("truncated").asBoolean()).isFalse();
    assertThat(result.get("duration_ms").asLong()).isPositive();
  }

  @Test
  @DisplayName("POST /v1/execute runs shell and argv commands and feeds stdin")
  void shellCommandAndStdin() throws Exception {
    assertThat(json(server.post("/v1/execute", "{\"shell\": \"echo $HOME; pwd\"}")).get("stdout").asText())
        .isEqualTo("/sandbox/work\n/sandbox/work\n");
    assertThat(json(server.post("/v1/execute", "{\"command\": [\"python\", \"-c\", \"print(2+2)\"]}"))
        .get("stdout").asText()).isEqualTo("4\n");
    assertThat(json(server.post("/v1/execute",
        "{\"script\": \"print(input().upper())\", \"stdin\": \"shout\\n\"}")).get("stdout").asText())
        .isEqualTo("SHOUT\n");
  }

  @Test
  @DisplayName("A one-shot work dir is deleted afterwards")
  void oneShotWorkDirDeleted() throws Exception {
    server.post("/v1/execute", script("open('left.txt', 'w').write('x')"));
    try (var stream = java.nio.file.Files.walk(server.workspace)) {
      assertThat(stream.filter(p -> p.getFileName().toString().equals("left.txt"))).isEmpty();
    }
  }

  @Test
  @DisplayName("Timeouts and signals: timed_out with -9 and the output so far; -N for signal N")
  void timeoutAndSignal() throws Exception {
    JsonNode result = json(server.post("/v1/execute",
        "{\"script\": \"import time; print('before', flush=True); time.sleep(30)\", \"timeout_seconds\": 1}"));
    assertThat(result.get("timed_out").asBoolean()).isTrue();
    assertThat(result.get("return_code").asInt()).isEqualTo(-9);
    assertThat(result.get("stdout").asText()).isEqualTo("before\n");
    assertThat(result.get("limit").asText()).isEqualTo("timeout");

    JsonNode killed = json(server.post("/v1/execute", script("import os, signal; os.kill(os.getpid(), signal.SIGTERM)")));
    assertThat(killed.get("return_code").asInt()).isEqualTo(-15);
  }

  @Test
  @DisplayName("Bad execute requests get 400 with a JSON error, unknown environments 404")
  void badExecuteRequests() throws Exception {
    assertError(server.post("/v1/execute", "{not json"), 400, "invalid_json");
    assertError(server.post("/v1/execute", "[1, 2]"), 400, "invalid_request");
    assertError(server.post("/v1/execute", "{\"script\": \"1\", \"shell\": \"true\"}"), 400, "invalid_request");
    assertError(server.post("/v1/execute", "{}"), 400, "invalid_request");
    assertError(server.post("/v1/execute", "{\"script\": 42}"), 400, "invalid_request");
    assertError(server.post("/v1/execute", "{\"command\": \"ls\"}"), 400, "invalid_request");
    assertError(server.post("/v1/execute", "{\"script\": \"1\", \"timeout_seconds\": \"5\"}"), 400, "invalid_request");
    assertError(server.post("/v1/execute", "{\"script\": \"1\", \"timeout_seconds\": 6}"), 400, "invalid_request");
    assertError(server.post("/v1/execute", "{\"script\": \"1\", \"colour\": 1}"), 400, "invalid_request");
    assertError(server.post("/v1/execute", "{\"script\": \"1\", \"environment\": \"nope\"}"), 404, "unknown_environment");
    assertError(server.post("/v1/execute", "{\"script\": \"1\", \"environment\": \"../etc\"}"), 400, "invalid_environment_name");
    assertError(server.get("/v1/nothing"), 404, "not_found");
    String huge = "{\"script\": \"" + "x".repeat(2 << 20) + "\"}";
    assertError(server.post("/v1/execute", huge), 413, "payload_too_large");
    assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("Sessions: 201 created, 200 same settings, 409 other settings, GET, list, DELETE, 404")
  void sessionLifecycle() throws Exception {
    HttpResponse<String> created = server.post("/v1/sessions",
        "{\"environment\": \"bare\", \"session_id\": \"life-1\", \"volumes\": {\"shared\": {\"writable\": false}}}");
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode session = json(created);
    assertThat(session.get("session_id").asText()).isEqualTo("life-1");
    assertThat(session.get("environment").asText()).isEqualTo("bare");
    assertThat(session.get("volumes").get("shared").get("writable").asBoolean()).isFalse();
    assertThat(session.get("busy").asBoolean()).isFalse();
    assertThat(session.has("created_at")).isTrue();
    assertThat(session.has("last_activity")).isTrue();

    assertThat(server.post("/v1/sessions",
        "{\"environment\": \"bare\", \"session_id\": \"life-1\", \"volumes\": {\"shared\": {\"writable\": false}}}")
        .statusCode()).isEqualTo(200);
    assertError(server.post("/v1/sessions", "{\"environment\": \"pandas-only\", \"session_id\": \"life-1\"}"),
        409, "session_conflict");
    assertError(server.post("/v1/sessions", "{\"session_id\": \"bad id!\"}"), 400, "invalid_request");
    assertError(server.post("/v1/sessions", "{\"environment\": \"nope\"}"), 404, "unknown_environment");

    assertThat(server.get("/v1/sessions/life-1").statusCode()).isEqualTo(200);
    assertThat(json(server.get("/v1/sessions")).get("sessions").findValuesAsText("session_id")).contains("life-1");
    assertThat(server.execute("life-1", "import os; print(os.listdir('/sandbox/volumes'))")
        .get("stdout").asText()).isEqualTo("['shared']\n");

    assertThat(server.delete("/v1/sessions/life-1").statusCode()).isEqualTo(204);
    assertError(server.get("/v1/sessions/life-1"), 404, "session_not_found");
    assertError(server.delete("/v1/sessions/life-1"), 404, "session_not_found");
    assertError(server.post("/v1/sessions/life-1/execute", script("1")), 404, "session_not_found");
  }

  @Test
  @DisplayName("Server-made session ids carry at least 128 random bits")
  void unguessableIds() throws Exception {
    String first = server.createSession("{}");
    String second = server.createSession("{}");
    assertThat(first).isNotEqualTo(second);
    assertThat(java.util.Base64.getUrlDecoder().decode(first)).hasSizeGreaterThanOrEqualTo(16);
    server.delete("/v1/sessions/" + first);
    server.delete("/v1/sessions/" + second);
  }

  @Test
  @DisplayName("A session keeps its files between executions; a second execution at once gets 409")
  void sessionExecuteAndBusy() throws Exception {
    String id = server.createSession("{\"environment\": \"bare\"}");
    server.execute(id, "open('state.txt', 'w').write('kept')");
    assertThat(server.execute(id, "print(open('state.txt').read())").get("stdout").asText()).isEqualTo("kept\n");

    CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
      try {
        return server.post("/v1/sessions/" + id + "/execute", script("import time; time.sleep(2)"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    waitUntilBusy(id);
    assertError(server.post("/v1/sessions/" + id + "/execute", script("print(1)")), 409, "session_busy");
    assertThat(slow.get().statusCode()).isEqualTo(200);
    assertThat(server.delete("/v1/sessions/" + id).statusCode()).isEqualTo(204);
  }

  @Test
  @DisplayName("/metrics exposes the bubble_sandbox families and they move after an execution")
  void metrics() throws Exception {
    server.post("/v1/execute", script("print('metered')"));
    String before = server.get("/metrics").body();
    double executions = counter(before, "bubble_sandbox_executions_total{environment=\"bare\",kind=\"one_shot\",limit=\"none\",outcome=\"ok\"}");
    double bytes = counter(before, "bubble_sandbox_output_bytes_total{stream=\"stdout\"}");
    server.post("/v1/execute", script("print('metered')"));
    HttpResponse<String> response = server.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    String after = response.body();
    for (String family : new String[] {"bubble_sandbox_executions_total", "bubble_sandbox_execution_duration_seconds_bucket",
        "bubble_sandbox_sandbox_start_seconds_bucket", "bubble_sandbox_sessions_active", "bubble_sandbox_sessions_max",
        "bubble_sandbox_rejections_total", "bubble_sandbox_output_bytes_total", "vertx_http_server_requests_total"}) {
      assertThat(after).contains(family);
    }
    assertThat(counter(after, "bubble_sandbox_executions_total{environment=\"bare\",kind=\"one_shot\",limit=\"none\",outcome=\"ok\"}")).isEqualTo(executions + 1);
    assertThat(counter(after, "bubble_sandbox_output_bytes_total{stream=\"stdout\"}")).isEqualTo(bytes + "metered\n".length());
  }

  @Test
  @DisplayName("Health: live and ready answer 200 when bwrap and the default environment work")
  void health() throws Exception {
    assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = server.get("/health/ready");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
  }

  /** A counter's value, summed over the labels left out at the end of {@code series} (start). */
  static double counter(String metrics, String series) {
    return MetricsIT.sample(metrics, series).orElse(0.0);
  }

  private void waitUntilBusy(String id) {
    await("session " + id + " busy").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
        .until(() -> json(server.get("/v1/sessions/" + id)).get("busy").asBoolean());
  }

  static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = json(response).get("error");
    assertThat(error.get("code").asText()).isEqualTo(code);
    assertThat(error.get("message").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
  }
}
