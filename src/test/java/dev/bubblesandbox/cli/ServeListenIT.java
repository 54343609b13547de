package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Where {@code serve} listens: loopback unless told otherwise, and a clear word when it cannot. */
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
      List<String> listening = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (listening.isEmpty() && server.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
        listening = listeningAddresses(port);
      }
      assertThat(listening).as("the server listens on port " + port).isNotEmpty();
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
}
