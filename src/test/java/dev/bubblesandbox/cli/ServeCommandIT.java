package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} as operators run it: configuration layers, JSON logs, SIGTERM. */
class ServeCommandIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The tests' configuration files and captured output, removed after each. */
  @TempDir
  Path temp;

  @Test
  @DisplayName("An invalid configured value stops start-up with one line naming the setting")
  void invalidSettingStopsStartup() throws Exception {
    Path config = temp.resolve("bad-config.yaml");
    Files.writeString(config, "max_sessions: lots\n");
    CliProcess.Outcome outcome = CliProcess.run("serve", "-c", config.toString(), "--port", "0");
    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stderr().strip().lines()).hasSize(1);
    assertThat(outcome.stderr()).contains("max_sessions").contains("BUBBLE_SANDBOX_MAX_SESSIONS")
        .doesNotContain("Exception");
    CliProcess.Outcome missing = CliProcess.run("serve", "-c", "/nonexistent/config.yaml");
    assertThat(missing.exitCode()).isEqualTo(125);
    assertThat(missing.stderr()).contains("/nonexistent/config.yaml");
  }

  @Test
  @DisplayName("Variables beat the file, logs are JSON lines, and SIGTERM stops the server cleanly")
  void layersLogsAndSigterm() throws Exception {
    Path workspace = Files.createTempDirectory("serve-test-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    Path config = temp.resolve("config.yaml");
    Files.writeString(config, "max_sessions: 7\nexecution_timeout_seconds: 9\n");
    // stdout is the JSON log; stderr the one human line saying where the server listens.
    Path stderr = temp.resolve("serve-stderr.txt");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process server = CliProcess.builder(Map.of(
            "BUBBLE_SANDBOX_MAX_SESSIONS", "3",
            "BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString(),
            "BUBBLE_SANDBOX_HTTP_HOST", "127.0.0.1"),
            "serve", "-c", config.toString(), "--port", Integer.toString(port))
        .redirectError(stderr.toFile()).start();
    List<String> lines = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
          }
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    });
    reader.start();
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String metrics = ServedMetrics.await(http, port, server);
      assertThat(metrics).contains("bubble_sandbox_sessions_max 3.0");
      HttpResponse<String> tooLong = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/execute"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"script\": \"1\", \"timeout_seconds\": 10}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(tooLong.statusCode()).as("the file's timeout of 9 s is the maximum").isEqualTo(400);
    } finally {
      new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(5_000);
    }
    assertThat(server.exitValue()).isIn(0, 143);
    synchronized (lines) {
      assertThat(lines).isNotEmpty();
      for (String line : lines) {
        JsonNode log = JSON.readTree(line);
        assertThat(log.has("timestamp") && log.has("level") && log.has("logger") && log.has("message"))
            .as(line).isTrue();
      }
      assertThat(lines).anyMatch(line -> line.contains("\"server started\""));
      assertThat(lines).anyMatch(line -> line.contains("\"server stopped\""));
    }
    assertThat(Files.readString(stderr)).isEqualTo("bubble-sandbox listening on http://127.0.0.1:" + port
        + "/ (the console page is at /, the API under /v1/)\n");
    Files.delete(stderr);
    assertThat(Files.list(workspace.resolve("sessions"))).isEmpty();
    dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
  }
}
