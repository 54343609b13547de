package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.HostFiles;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} of a real server, scraped with a real HTTP client: valid for Prometheus'
 * own checker, labelled so a dashboard can tell limits, kinds and routes apart, and complete
 * from start-up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {

  private static final String ONE_SHOT_OK =
      "bubble_sandbox_executions_total{environment=\"bare\",kind=\"one_shot\",limit=\"none\",outcome=\"ok\"}";

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of());

  private String scrape(TestServer target) throws Exception {
    HttpResponse<String> response = target.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @Test
  @DisplayName("promtool check metrics reports nothing after one-shot, session and console executions")
  void promtoolFindsNothing() throws Exception {
    Path promtool = HostFiles.findOnPath("promtool").orElseThrow(() -> new AssertionError(
        "promtool is not installed; install it with: apt-get install -y prometheus (bin/test does)"));
    assertThat(server.post("/v1/execute", TestServer.script("print(1)")).statusCode()).isEqualTo(200);
    String session = server.createSession("{}");
    try {
      server.execute(session, "import sys; print('x'); print('y', file=sys.stderr)");
      runInConsole(session, "print(2)");
      assertThat(server.putBytes("/v1/sessions/" + session + "/files/a.txt", "a".getBytes(StandardCharsets.UTF_8))
          .statusCode()).isBetween(200, 201);
      assertThat(server.get("/v1/sessions/" + session + "/files").statusCode()).isEqualTo(200);
    } finally {
      server.delete("/v1/sessions/" + session);
    }
    assertThat(server.get("/v1/sessions/no-such-session").statusCode()).isEqualTo(404);

    Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var stdin = check.getOutputStream()) {
      stdin.write(scrape(server).getBytes(StandardCharsets.UTF_8));
    }
    String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(report).as("promtool check metrics").isEmpty();
    assertThat(check.exitValue()).isZero();
  }

  @Test
  @DisplayName("A fresh server shows every known series at zero: executions, durations, start, refusals")
  void zeroSeriesFromStart() throws Exception {
    try (TestServer fresh = TestServer.start(Map.of())) {
      String metrics = scrape(fresh);
      for (String environment : List.of("bare", "pandas-only")) {
        for (String kind : List.of("one_shot", "session", "console")) {
          String labels = "environment=\"" + environment + "\",kind=\"" + kind + "\"";
          for (String outcomeAndLimit : List.of("limit=\"none\",outcome=\"ok\"", "limit=\"none\",outcome=\"error\"",
              "limit=\"memory\",outcome=\"error\"", "limit=\"pids\",outcome=\"error\"",
              "limit=\"output\",outcome=\"ok\"", "limit=\"none\",outcome=\"killed\"",
              "limit=\"timeout\",outcome=\"timeout\"")) {
            assertThat(sample(metrics, "bubble_sandbox_executions_total{" + labels + "," + outcomeAndLimit + "}"))
                .contains(0.0);
          }
          assertThat(sample(metrics, "bubble_sandbox_execution_duration_seconds_count{" + labels + "}")).contains(0.0);
          assertThat(sample(metrics, "bubble_sandbox_execution_duration_seconds_bucket{" + labels + ",le=\"1.0\"}"))
              .contains(0.0);
        }
      }
      assertThat(sample(metrics, "bubble_sandbox_sandbox_start_seconds_count")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_sandbox_start_seconds_bucket{le=\"0.01\"}")).contains(0.0);
      for (String reason : List.of("session_busy", "session_not_found", "capacity_exhausted", "payload_too_large",
          "invalid_request", "unauthorized")) {
        assertThat(sample(metrics, "bubble_sandbox_rejections_total{reason=\"" + reason + "\"}")).contains(0.0);
      }
      assertThat(sample(metrics, "bubble_sandbox_output_bytes_total{stream=\"stdout\"}")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_sessions_active")).contains(0.0);
    }
  }

  @Test
  @DisplayName("What operators watch is there from start-up: process, build, sessions by reason, in flight, workspaces, files, warm memory, errors")
  void operatorSeriesFromStart() throws Exception {
    try (TestServer fresh = TestServer.start(Map.of())) {
      String metrics = scrape(fresh);
      assertThat(sample(metrics, "process_resident_memory_bytes")).hasValueSatisfying(rss -> assertThat(rss).isPositive());
      assertThat(sample(metrics, "process_open_fds")).hasValueSatisfying(fds -> assertThat(fds).isPositive());
      assertThat(metrics).containsPattern("(?m)^bubble_sandbox_build_info\\{version=\"[^\"]+\"} 1(\\.0)?$");
      assertThat(sample(metrics, "bubble_sandbox_sessions_started_total")).contains(0.0);
      for (String reason : List.of("client", "idle", "throwaway", "shutdown")) {
        assertThat(sample(metrics, "bubble_sandbox_sessions_ended_total{reason=\"" + reason + "\"}")).contains(0.0);
      }
      assertThat(sample(metrics, "bubble_sandbox_executions_in_flight")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_execution_memory_peak_bytes_count")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_execution_memory_peak_bytes_bucket{le=\"6.7108864E7\"}")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_execution_cpu_seconds_count")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_execution_cpu_seconds_bucket{le=\"1.0\"}")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_environment_ready{environment=\"bare\"}")).contains(1.0);
      assertThat(sample(metrics, "bubble_sandbox_workspace_bytes")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_workspace_disk_free_bytes")).hasValueSatisfying(free -> assertThat(free).isPositive());
      assertThat(sample(metrics, "bubble_sandbox_loop_devices")).contains(0.0);
      assertThat(sample(metrics, "bubble_sandbox_warm_sandboxes_memory_bytes")).isPresent();
      for (String direction : List.of("upload", "download")) {
        assertThat(sample(metrics, "bubble_sandbox_file_bytes_total{direction=\"" + direction + "\"}")).contains(0.0);
      }
      assertThat(sample(metrics, "bubble_sandbox_internal_errors_total")).contains(0.0);

      String session = fresh.createSession("{\"environment\": \"bare\"}");
      assertThat(fresh.putBytes("/v1/sessions/" + session + "/files/a.txt", new byte[1000]).statusCode()).isEqualTo(201);
      assertThat(fresh.download("/v1/sessions/" + session + "/files/a.txt").statusCode()).isEqualTo(200);
      JsonNode result = fresh.execute(session, "x = bytearray(8 << 20)\nprint(len(x))");
      String after = scrape(fresh);
      assertThat(sample(after, "bubble_sandbox_sessions_started_total")).contains(1.0);
      assertThat(sample(after, "bubble_sandbox_file_bytes_total{direction=\"upload\"}")).contains(1000.0);
      // The download is counted once the body has been sent, just after the client has it all.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
          assertThat(sample(scrape(fresh), "bubble_sandbox_file_bytes_total{direction=\"download\"}")).contains(1000.0));
      assertThat(sample(after, "bubble_sandbox_executions_in_flight")).contains(0.0);
      if (result.hasNonNull("memory_peak_bytes")) {
        assertThat(sample(after, "bubble_sandbox_execution_memory_peak_bytes_count")).contains(1.0);
        assertThat(sample(after, "bubble_sandbox_execution_memory_peak_bytes_bucket{le=\"4194304.0\"}")).contains(0.0);
      }
      if (result.hasNonNull("cpu_time_ms")) {
        assertThat(sample(after, "bubble_sandbox_execution_cpu_seconds_count")).contains(1.0);
      }
      assertThat(fresh.delete("/v1/sessions/" + session).statusCode()).isEqualTo(204);
      assertThat(sample(scrape(fresh), "bubble_sandbox_sessions_ended_total{reason=\"client\"}")).contains(1.0);
    }
  }

  @Test
  @DisplayName("Executions ended by the memory and the pids limit are counted with their limit and kind")
  void limitAndKindLabels() throws Exception {
    String before = scrape(server);
    JsonNode memory = TestServer.json(server.post("/v1/execute",
        "{\"script\": \"x = bytearray(100 * 1024 ** 2)\", \"memory_limit_bytes\": 67108864}"));
    assertThat(memory.get("limit").asText()).as(memory.toString()).isEqualTo("memory");
    String session = server.createSession("{}");
    try {
      JsonNode pids = TestServer.json(server.post("/v1/sessions/" + session + "/execute",
          "{\"script\": \"import os\\nwhile True:\\n    os.fork()\\n\", \"pids_limit\": 16}"));
      assertThat(pids.get("limit").asText()).as(pids.toString()).isEqualTo("pids");
      runInConsole(session, "print(3)");
    } finally {
      server.delete("/v1/sessions/" + session);
    }
    String after = scrape(server);
    for (String series : List.of(
        "bubble_sandbox_executions_total{environment=\"bare\",kind=\"one_shot\",limit=\"memory\",outcome=\"error\"}",
        "bubble_sandbox_executions_total{environment=\"bare\",kind=\"session\",limit=\"pids\",outcome=\"error\"}",
        "bubble_sandbox_executions_total{environment=\"bare\",kind=\"console\",limit=\"none\",outcome=\"ok\"}",
        "bubble_sandbox_execution_duration_seconds_count{environment=\"bare\",kind=\"console\"}")) {
      assertThat(sample(after, series).orElse(0.0) - sample(before, series).orElse(0.0)).as(series).isEqualTo(1.0);
    }
  }

  @Test
  @DisplayName("The sandbox start of a silent 2 s script is recorded well below 2 s; its duration is not")
  void startNotInflatedBySilentScripts() throws Exception {
    String before = scrape(server);
    JsonNode result = TestServer.json(server.post("/v1/execute", TestServer.script("import time; time.sleep(2)")));
    assertThat(result.get("return_code").asInt()).as(result.toString()).isZero();
    String after = scrape(server);
    double count = delta(before, after, "bubble_sandbox_sandbox_start_seconds_count");
    double seconds = delta(before, after, "bubble_sandbox_sandbox_start_seconds_sum");
    assertThat(count).isEqualTo(1.0);
    assertThat(seconds).isPositive().isLessThan(1.0);
    assertThat(delta(before, after,
        "bubble_sandbox_execution_duration_seconds_sum{environment=\"bare\",kind=\"one_shot\"}"))
        .isGreaterThanOrEqualTo(2.0);
    assertThat(delta(before, after, ONE_SHOT_OK)).isEqualTo(1.0);
  }

  @Test
  @DisplayName("HTTP latency is a histogram per route template, never per raw path or made-up method")
  void httpLatencyPerRoute() throws Exception {
    for (String madeUp : List.of("BREWX", "BREWY")) {
      assertThat(server.send(madeUp, "/v1/sessions", null).statusCode()).isGreaterThanOrEqualTo(400);
    }
    String session = server.createSession("{}");
    try {
      server.putBytes("/v1/sessions/" + session + "/files/dir/route-test.txt", "r".getBytes(StandardCharsets.UTF_8));
      server.get("/v1/sessions/" + session);
      server.delete("/v1/sessions/" + session + "/files/dir/route-test.txt");
    } finally {
      server.delete("/v1/sessions/" + session);
    }
    scrape(server);   // a scrape is recorded once answered: this one shows in the next
    String metrics = scrape(server);
    List<String> routes = new ArrayList<>();
    Matcher route = Pattern.compile("^vertx_http_server_\\w+\\{[^}]*route=\"([^\"]*)\"", Pattern.MULTILINE)
        .matcher(metrics);
    while (route.find()) {
      routes.add(route.group(1));
    }
    assertThat(routes).contains("/v1/sessions", "/v1/sessions/:id", "/v1/sessions/:id/files/*", "/metrics")
        .noneMatch(r -> r.contains(session) || r.contains("route-test") || r.contains(">"));
    for (String labels : List.of("code=\"201\",method=\"PUT\",route=\"/v1/sessions/:id/files/*\"",
        "code=\"200\",method=\"GET\",route=\"/v1/sessions/:id\"",
        "code=\"204\",method=\"DELETE\",route=\"/v1/sessions/:id/files/*\"")) {
      assertThat(sample(metrics, "vertx_http_server_response_time_seconds_bucket{" + labels + ",le=\"+Inf\"}"))
          .as(labels).hasValueSatisfying(count -> assertThat(count).isGreaterThanOrEqualTo(1.0));
      assertThat(sample(metrics, "vertx_http_server_response_time_seconds_bucket{" + labels + ",le=\"0.1\"}"))
          .as(labels).isPresent();
    }
    assertThat(metrics).contains("# TYPE vertx_http_server_response_time_seconds histogram")
        .contains("method=\"OTHER\"").doesNotContain("BREWX").doesNotContain("BREWY");
  }

  /** Runs {@code script} through the session's console and waits for its exit frame. */
  private void runInConsole(String session, String script) throws Exception {
    try (ConsoleClient console = ConsoleClient.connect(server.http,
        URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/sessions/" + session + "/console"), true)) {
      console.send(TestServer.JSON.createObjectNode().put("type", "execute").put("id", "m1")
          .put("script", script).toString());
      List<ConsoleClient.Frame> frames = console.until("exit", 30);
      assertThat(frames.get(frames.size() - 1).json().get("return_code").asInt()).isZero();
    }
  }

  private static double delta(String before, String after, String series) {
    return sample(after, series).orElse(0.0) - sample(before, series).orElse(0.0);
  }

  /**
   * The value of one series (name and labels as exposed), if exposed; labels left out at the end
   * (such as {@code start}) are summed over.
   */
  static Optional<Double> sample(String metrics, String series) {
    String partial = series.endsWith("}") ? series.substring(0, series.length() - 1) + "," : null;
    List<Double> values = metrics.lines()
        .filter(line -> line.startsWith(series + " ") || partial != null && line.startsWith(partial))
        .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim()))
        .toList();
    return values.isEmpty() ? Optional.empty() : Optional.of(values.stream().mapToDouble(Double::doubleValue).sum());
  }
}
