package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * {@code /mcp} (SPEC §12) on a server with an API key, driven by the official Python MCP SDK over
 * Streamable HTTP (mcp_checks.py): tools and schemas, a kernel session, plots, files,
 * cancellation, progress, isolation, hostile code; then the transport's trust rules with a raw
 * HTTP client: 401 without the key on every method, a foreign Origin refused, the key in no
 * answer and no log line; and the tool metrics.
 */
class McpIT {

  private static final String KEY = "mcp-it-key-" + Long.toHexString(System.nanoTime()) + "-0123456789";
  private static final String INITIALIZE = """
      {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
       "capabilities":{},"clientInfo":{"name":"McpIT","version":"1"}}}""";

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("api_key", KEY, "execution_timeout_seconds", 20));

  @Test
  @DisplayName("The Python MCP SDK over Streamable HTTP: every tool, a kernel, plots, files, cancel, progress, isolation, hostile code")
  void pythonSdk() throws Exception {
    McpClients.runChecks(List.of("--http", server.uri("/mcp").toString(), "--key-env", "MCP_IT_KEY"),
        Map.of("MCP_IT_KEY", KEY), "tools", "kernel", "oneshot", "errors", "cancel", "progress", "logging", "isolation", "hostile");
  }

  @Test
  @DisplayName("Without the key (or with a wrong one) every MCP method is answered 401")
  void keyRequired() throws Exception {
    String session = initialize(KEY).headers().firstValue("Mcp-Session-Id").orElseThrow();
    for (String authorization : new String[] {null, "Bearer not-the-key-at-all", "Basic " + KEY}) {
      List<HttpResponse<String>> answers = List.of(
          post(authorization, null, INITIALIZE, null),
          post(authorization, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", null),
          post(authorization, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
              + "{\"name\":\"run_shell\",\"arguments\":{\"command\":\"true\"}}}", null),
          send("GET", authorization, session, null),
          send("DELETE", authorization, session, null));
      for (HttpResponse<String> answer : answers) {
        assertThat(answer.statusCode()).as(answer.request().method() + " " + authorization).isEqualTo(401);
      }
    }
  }

  @Test
  @DisplayName("A foreign Origin is refused (403); the server's own is not")
  void origin() throws Exception {
    HttpResponse<String> foreign = post("Bearer " + KEY, null, INITIALIZE, "http://evil.example");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(foreign.body()).contains("origin_not_allowed");
    HttpResponse<String> rebound = post("Bearer " + KEY, null, INITIALIZE, "http://localhost:" + server.server.port());
    assertThat(rebound.statusCode()).isEqualTo(403);
    HttpResponse<String> own = post("Bearer " + KEY, null, INITIALIZE, "http://127.0.0.1:" + server.server.port());
    assertThat(own.statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("The key appears in no answer, no sandbox and no log line, even at DEBUG")
  void keyNeverShown() throws Exception {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    logged.start();
    root.addAppender(logged);
    root.setLevel(Level.DEBUG);
    List<HttpResponse<String>> answers = new ArrayList<>();
    try {
      HttpResponse<String> init = initialize(KEY);
      answers.add(init);
      String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
      answers.add(post("Bearer " + KEY, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", null));
      answers.add(post("Bearer " + KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
          + "{\"name\":\"run_shell\",\"arguments\":{\"command\":\"env; cat /proc/self/environ; ps -ef 2>&1\"}}}", null));
      answers.add(post("Bearer " + KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
          + "{\"name\":\"run_python\",\"arguments\":{\"code\":\"1/0\"}}}", null));
      answers.add(post("Bearer " + KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":"
          + "{\"name\":\"read_file\",\"arguments\":{\"session_id\":\"nope\",\"path\":\"x.txt\"}}}", null));
      answers.add(post("Bearer " + KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
          + "{\"name\":\"run_shell\",\"arguments\":{\"command\":\"sleep 5\"},\"_meta\":{\"progressToken\":1}}}", null));
      answers.add(send("DELETE", "Bearer " + KEY, session, null));
    } finally {
      root.setLevel(before);
      root.detachAppender(logged);
    }
    assertThat(answers).allSatisfy(answer -> {
      assertThat(answer.statusCode()).as(answer.body()).isLessThan(300);
      assertThat(answer.body()).doesNotContain(KEY);
      assertThat(answer.headers().map().toString()).doesNotContain(KEY);
    });
    assertThat(answers.get(2).body()).contains("return_code");
    assertThat(logged.list).isNotEmpty().allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).doesNotContain(KEY);
      assertThat(String.valueOf(event.getMDCPropertyMap())).doesNotContain(KEY);
      if (event.getArgumentArray() != null) {
        for (Object argument : event.getArgumentArray()) {
          assertThat(String.valueOf(argument)).doesNotContain(KEY);
        }
      }
      if (event.getThrowableProxy() != null) {
        assertThat(event.getThrowableProxy().getMessage()).doesNotContain(KEY);
      }
    });
  }

  @Test
  @DisplayName("Tool calls are counted by tool and outcome, and timed per tool")
  void metrics() throws Exception {
    String session = initialize(KEY).headers().firstValue("Mcp-Session-Id").orElseThrow();
    post("Bearer " + KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"list_environments\",\"arguments\":{}}}", null);
    post("Bearer " + KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"run_shell\",\"arguments\":{\"command\":\"exit 1\"}}}", null);
    post("Bearer " + KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"list_files\",\"arguments\":{}}}", null);
    String metrics = server.get("/metrics").body();
    assertThat(metrics)
        .containsPattern("bubble_sandbox_mcp_tool_calls_total\\{outcome=\"ok\",tool=\"list_environments\"} [1-9]")
        .containsPattern("bubble_sandbox_mcp_tool_calls_total\\{outcome=\"tool_error\",tool=\"run_shell\"} [1-9]")
        .containsPattern("bubble_sandbox_mcp_tool_calls_total\\{outcome=\"protocol_error\",tool=\"list_files\"} [1-9]")
        .contains("bubble_sandbox_mcp_tool_call_seconds_bucket{tool=\"run_shell\"");
  }

  private static HttpResponse<String> initialize(String key) throws Exception {
    HttpResponse<String> answer = post("Bearer " + key, null, INITIALIZE, null);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return answer;
  }

  private static HttpResponse<String> post(String authorization, String session, String body, String origin) throws Exception {
    return send("POST", authorization, session, body, origin);
  }

  private static HttpResponse<String> send(String method, String authorization, String session, String origin) throws Exception {
    return send(method, authorization, session, null, origin);
  }

  private static HttpResponse<String> send(String method, String authorization, String session, String body,
      String origin) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    if (origin != null) {
      request.header("Origin", origin);
    }
    if (method.equals("GET")) {
      // The notification stream stays open: its status is what is checked.
      return server.http.send(request.build(), info -> HttpResponse.BodySubscribers.replacing(""));
    }
    return server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
