package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/bubble-sandbox serve}, as README's run command starts the server: the JVM gets the
 * options of conf/jvm-server.options (the serial collector, the bounded heap) and glibc two
 * malloc arenas, serves an execution, and stops on SIGTERM.
 */
class ServeLauncherIT {

  @Test
  @DisplayName("serve through the launcher runs with conf/jvm-server.options and MALLOC_ARENA_MAX=2")
  void serveWithServerOptions() throws Exception {
    Path workspace = Files.createTempDirectory("serve-launcher-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = Files.createTempFile("serve-launcher", ".log");
    // exec: the launcher execs java, so the shell's pid is the server's
    Process server = LauncherShell.builder(LauncherShell.PROJECT,
            Map.of("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString(), "BUBBLE_SANDBOX_LOG_LEVEL", "WARN"),
            "exec bubble-sandbox serve --port " + port)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String metrics = ServedMetrics.await(http, port, server);
      assertThat(metrics).as(Files.readString(log)).isNotNull();
      // the serial collector's generations, and a heap bounded as the options file says
      assertThat(metrics).contains("id=\"Tenured Gen\"");
      double heapMax = metrics.lines()
          .filter(line -> line.startsWith("jvm_memory_max_bytes{") && line.contains("area=\"heap\""))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
          .sum();
      assertThat(heapMax).isPositive().isLessThanOrEqualTo(512.0 * 1024 * 1024);
      String environ = Files.readString(Path.of("/proc", Long.toString(server.pid()), "environ"));
      assertThat(environ.split("\0")).contains("MALLOC_ARENA_MAX=2");

      HttpResponse<String> executed = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v1/execute"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"script\": \"print(6 * 7)\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(executed.statusCode()).as(executed.body()).isEqualTo(200);
      assertThat(executed.body()).contains("\"stdout\":\"42\\n\"");
    } finally {
      new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(server.exitValue()).as(Files.readString(log)).isIn(0, 143);
    Files.delete(log);
    dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
  }
}
