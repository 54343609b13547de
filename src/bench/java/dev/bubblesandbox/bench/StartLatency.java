package dev.bubblesandbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.SandboxRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The latency of an execution that finds the server idle, as a user's request usually does: one
 * at a time, each after a pause long enough for the server's warm sandboxes to be started again
 * (the pause is not timed; raw launches get the same pause). Three cases, each against the raw
 * cold launch of the same program: {@code print(1)} one-shot, a pandas one-shot, and
 * {@code print(1)} in a session. Back-to-back executions (the throughput phases) cannot be
 * faster than the machine starts sandboxes, warm or not: that is what the C=4 ratio measures.
 */
final class StartLatency {

  static final String PANDAS_ENVIRONMENT = "pandas-only";
  static final String PANDAS_SCRIPT = "import pandas as pd; print(pd.DataFrame({\"a\": [1, 2, 3]}).a.sum())";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** Longest wait for a warm sandbox before an execution; past it the execution runs anyway. */
  private static final long WARM_WAIT_MILLIS = 10_000;

  private final HttpClient http;
  private final URI base;
  private final SandboxRunner runner;
  private final EnvironmentCatalog catalog;
  private final ExecutionLimits limits;
  private final PrintStream out;
  private final int runs;
  private final long pauseMillis;

  StartLatency(HttpClient http, int port, SandboxRunner runner, EnvironmentCatalog catalog,
      ExecutionLimits limits, PrintStream out, int runs, long pauseMillis) {
    this.http = http;
    this.base = URI.create("http://127.0.0.1:" + port);
    this.runner = runner;
    this.catalog = catalog;
    this.limits = limits;
    this.out = out;
    this.runs = runs;
    this.pauseMillis = pauseMillis;
  }

  /** Ratios p50 server / p50 raw: print(1), pandas, session; NaN where not measured. */
  record Ratios(double print, double pandas, double session) { }

  Ratios run() throws Exception {
    List<String> rawPrint = raw("bare", ServerBenchmark.SCRIPT);
    double print = compare("one-shot print(1)", rawPrint, ServerBenchmark.EXPECTED_STDOUT,
        () -> oneShot("bare", ServerBenchmark.SCRIPT, ServerBenchmark.EXPECTED_STDOUT), "bare");
    double pandas = Double.NaN;
    if (catalog.names().contains(PANDAS_ENVIRONMENT) && catalog.describe(PANDAS_ENVIRONMENT).ready()) {
      pandas = compare("one-shot pandas", raw(PANDAS_ENVIRONMENT, PANDAS_SCRIPT), "6\n",
          () -> oneShot(PANDAS_ENVIRONMENT, PANDAS_SCRIPT, "6\n"), PANDAS_ENVIRONMENT);
    } else {
      out.println("latency: pandas-only is not synced; its case is skipped");
    }
    String session = createSession();
    double inSession;
    try {
      inSession = compare("session print(1)", rawPrint, ServerBenchmark.EXPECTED_STDOUT,
          () -> inSession(session), null);
    } finally {
      send(HttpRequest.newBuilder(base.resolve("/v1/sessions/" + session)).DELETE());
    }
    return new Ratios(print, pandas, inSession);
  }

  /** One execution through the server; returns its result. */
  @FunctionalInterface
  private interface Execution {
    JsonNode run() throws Exception;
  }

  /** Alternates raw and server executions, each after the pause; prints and returns the p50 ratio. */
  private double compare(String what, List<String> rawCommand, String expected, Execution viaServer,
      String warmEnvironment) throws Exception {
    long[] raw = new long[runs];
    long[] server = new long[runs];
    long[] inSandbox = new long[runs];
    int warmStarts = 0;
    for (int i = 0; i < runs; i++) {
      Thread.sleep(pauseMillis);
      long begin = System.nanoTime();
      launchRaw(rawCommand, expected);
      raw[i] = System.nanoTime() - begin;
      Thread.sleep(pauseMillis);
      if (warmEnvironment != null) {
        awaitWarm(warmEnvironment);
      }
      begin = System.nanoTime();
      JsonNode result = viaServer.run();
      server[i] = System.nanoTime() - begin;
      inSandbox[i] = result.path("duration_ms").asLong() * 1_000_000L;
      warmStarts += result.path("start").asText().equals("warm") ? 1 : 0;
    }
    // Wall time: the sum of the latencies (the pauses are not part of it).
    LatencyStats rawStats = new LatencyStats(raw, java.util.Arrays.stream(raw).sum(), 0);
    LatencyStats serverStats = new LatencyStats(server, java.util.Arrays.stream(server).sum(), 0);
    double ratio = serverStats.percentileMillis(50) / rawStats.percentileMillis(50);
    LatencyStats durations = new LatencyStats(inSandbox, Math.max(1, java.util.Arrays.stream(inSandbox).sum()), 0);
    out.printf(Locale.ROOT, "latency %-18s raw p50 %.1f ms p95 %.1f ms; server p50 %.1f ms p95 %.1f ms "
            + "(warm %d of %d, duration_ms p50 %.0f); server/raw p50 %.2fx%n", what, rawStats.percentileMillis(50),
        rawStats.percentileMillis(95), serverStats.percentileMillis(50), serverStats.percentileMillis(95),
        warmStarts, runs, durations.percentileMillis(50), ratio);
    return ratio;
  }

  private List<String> raw(String environment, String script) {
    return runner.command(new LaunchSpec("bench-raw-" + environment, catalog.require(environment),
        Optional.empty(), List.of(), List.of("python", "-c", script), limits));
  }

  private JsonNode oneShot(String environment, String script, String expected) throws Exception {
    JsonNode result = post("/v1/execute", JSON.createObjectNode().put("environment", environment)
        .put("script", script).toString());
    check(result, expected);
    return result;
  }

  private JsonNode inSession(String session) throws Exception {
    JsonNode result = post("/v1/sessions/" + session + "/execute",
        JSON.createObjectNode().put("script", ServerBenchmark.SCRIPT).toString());
    check(result, ServerBenchmark.EXPECTED_STDOUT);
    return result;
  }

  private String createSession() throws Exception {
    return post("/v1/sessions", "{\"environment\": \"bare\"}").path("session_id").asText();
  }

  private static void check(JsonNode result, String expected) throws IOException {
    if (result.path("return_code").asInt(-1) != 0 || !expected.equals(result.path("stdout").asText())) {
      throw new IOException("unexpected result: " + result);
    }
  }

  /** Waits (untimed) until the server has a warm sandbox for {@code environment}, or gives up. */
  private void awaitWarm(String environment) throws Exception {
    String series = "bubble_sandbox_warm_sandboxes{environment=\"" + environment + "\"} ";
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_WAIT_MILLIS);
    while (System.nanoTime() < deadline) {
      String metrics = send(HttpRequest.newBuilder(base.resolve("/metrics")).GET()).body();
      boolean ready = metrics.lines().filter(line -> line.startsWith(series))
          .anyMatch(line -> Double.parseDouble(line.substring(series.length()).trim()) >= 1);
      if (ready) {
        return;
      }
      Thread.sleep(20);
    }
  }

  private JsonNode post(String path, String body) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    if (response.statusCode() / 100 != 2) {
      throw new IOException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Starts the command as the server's runner does (empty environment), waits, checks stdout. */
  static void launchRaw(List<String> command, String expected) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().clear();
    Process process = builder.start();
    try {
      process.getOutputStream().close();
      String stdout;
      try (InputStream in = process.getInputStream()) {
        stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0
          || !expected.equals(stdout)) {
        throw new IOException("raw bwrap failed: exit " + process.exitValue() + ", stdout '" + stdout + "'");
      }
    } finally {
      process.destroyForcibly();
    }
  }
}
