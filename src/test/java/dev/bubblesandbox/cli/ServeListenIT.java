package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Where {@code serve} listens: loopback unless told otherwise, and a clear word when it cannot;
 * and it fails closed: no key beyond loopback or in a cluster unless that is said out loud.
 */
class ServeListenIT {

  private Path workspace;

  @BeforeEach
  void workspace() throws IOException {
    workspace = Files.createTempDirectory("serve-listen-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
  }

  @AfterEach
  void removeWorkspace() throws IOException {
    dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
  }

  @Test
  @DisplayName("A busy port stops serve with one line naming host:port and how to pick another, exit 125")
  void busyPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      CliProcess.Outcome outcome = CliProcess.run(
          Map.of("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString()),
          "serve", "--port", Integer.toString(port));

      assertThat(outcome.exitCode()).isEqualTo(125);
      assertThat(outcome.stderr().strip().lines()).hasSize(1);
      assertThat(outcome.stderr()).contains("127.0.0.1:" + port).contains("in use")
          .contains("--port N").contains("BUBBLE_SANDBOX_HTTP_PORT").doesNotContain("Exception");
    }
  }

  @Test
  @DisplayName("By default (conf/config.yaml, no variables) the server listens on loopback only")
  void loopbackByDefault() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process server = CliProcess.builder(Map.of("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString()),
            "serve", "--port", Integer.toString(port))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    try {
      List<String> listening = await("the server listens on port " + port).atMost(Duration.ofSeconds(60))
          .failFast("the server ended", () -> !server.isAlive())
          .until(() -> listeningAddresses(port), addresses -> !addresses.isEmpty());
      assertThat(listening).allMatch(address -> address.equals("0100007F")
          || address.equals("00000000000000000000000001000000")
          || address.equals("0000000000000000FFFF00000100007F"), "loopback only");
    } finally {
      new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** The local addresses (hex, as /proc/net/tcp* print them) of sockets listening on {@code port}. */
  private static List<String> listeningAddresses(int port) throws IOException {
    String wantedPort = String.format(Locale.ROOT, "%04X", port);
    List<String> addresses = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      List<String> lines = Files.readAllLines(path);
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        String[] local = fields[1].split(":");
        if (local[1].equals(wantedPort) && fields[3].equals("0A")) {
          addresses.add(local[0]);
        }
      }
    }
    return addresses;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  @DisplayName("No key on 0.0.0.0: refused with one line naming api_key, api_keys and allow_unauthenticated, exit 125")
  void noKeyOffLoopback() throws Exception {
    CliProcess.Outcome outcome = CliProcess.run(Map.of("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString(),
        "BUBBLE_SANDBOX_HTTP_HOST", "0.0.0.0"), "serve", "--port", Integer.toString(freePort()));

    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stderr().strip().lines()).hasSize(1);
    assertThat(outcome.stderr()).contains("0.0.0.0").contains("no API key").contains("BUBBLE_SANDBOX_API_KEY")
        .contains("api_keys").contains("allow_unauthenticated").doesNotContain("Exception");
  }

  @Test
  @DisplayName("A cluster node without cluster_secret, or without cluster_tls_dir, or without a key, refuses to start, exit 125")
  void clusterNeedsItsSecrets() throws Exception {
    String secret = "s".repeat(40);
    Map<String, String> base = Map.of("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString(),
        "BUBBLE_SANDBOX_CLUSTER_ENABLED", "true", "BUBBLE_SANDBOX_API_KEY", "k".repeat(20));
    CliProcess.Outcome noSecret = CliProcess.run(base, "serve", "--port", Integer.toString(freePort()));
    assertThat(noSecret.exitCode()).isEqualTo(125);
    assertThat(noSecret.stderr()).contains("cluster_secret").doesNotContain("Exception");

    Map<String, String> withSecret = new java.util.HashMap<>(base);
    withSecret.put("BUBBLE_SANDBOX_CLUSTER_SECRET", secret);
    CliProcess.Outcome noTls = CliProcess.run(withSecret, "serve", "--port", Integer.toString(freePort()));
    assertThat(noTls.exitCode()).isEqualTo(125);
    assertThat(noTls.stderr()).contains("cluster_tls_dir").contains("cluster-certs").doesNotContain(secret);

    withSecret.remove("BUBBLE_SANDBOX_API_KEY");
    withSecret.put("BUBBLE_SANDBOX_CLUSTER_TLS_DIR", workspace.toString());
    CliProcess.Outcome noKey = CliProcess.run(withSecret, "serve", "--port", Integer.toString(freePort()));
    assertThat(noKey.exitCode()).isEqualTo(125);
    assertThat(noKey.stderr()).contains("cluster node").contains("no API key");
  }

  @Test
  @DisplayName("allow_unauthenticated: a key-less server on 0.0.0.0 starts, and says at WARN that anyone can run code")
  void allowUnauthenticatedWarns() throws Exception {
    int port = freePort();
    Path log = workspace.resolve("server.log");
    Process server = CliProcess.builder(Map.of("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.resolve("data").toString(),
            "BUBBLE_SANDBOX_HTTP_HOST", "0.0.0.0", "BUBBLE_SANDBOX_ALLOW_UNAUTHENTICATED", "true"),
            "serve", "--port", Integer.toString(port))
        .redirectOutput(log.toFile()).redirectErrorStream(true).start();
    try {
      await("server started").atMost(Duration.ofSeconds(60)).failFast("the server ended", () -> !server.isAlive())
          .until(() -> Files.readString(log).contains("server started"));
      String output = Files.readString(log);
      assertThat(output).contains("server started");
      assertThat(output.lines().filter(line -> line.contains("\"level\":\"WARN\"") && line.contains("no API key")
          && line.contains("anyone who can reach it can run code"))).hasSize(1);
    } finally {
      new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
