package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code serve} fails closed: no key beyond loopback or in a cluster unless it is said out loud. */
class ServeTrustIT {

  private Path workspace;

  @BeforeEach
  void workspace() throws IOException {
    workspace = Files.createTempDirectory("serve-trust-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
  }

  @AfterEach
  void removeWorkspace() throws IOException {
    dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
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
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (server.isAlive() && System.nanoTime() < deadline && !Files.readString(log).contains("server started")) {
        Thread.sleep(100);
      }
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
