package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A kernel dies with its session, and leaves nothing on the host: no Python, no group, whether
 * the session is deleted, reaped when idle, or the server stops; and a server killed with
 * SIGKILL leaves its kernels to the next start's sweep, which finds the session again with a
 * fresh kernel. Warm sandboxes are off, so that the only Pythons in the server's groups are kernels.
 */
class KernelLifecycleIT {

  private static final Map<String, Object> NO_WARM = Map.of("warm_sandboxes", 0,
      "warm_sandboxes_other_environments", 0, "warm_session_sandboxes", 0);
  private static final Map<String, String> NO_WARM_VARIABLES = Map.of("BUBBLE_SANDBOX_WARM_SANDBOXES", "0",
      "BUBBLE_SANDBOX_WARM_SANDBOXES_OTHER_ENVIRONMENTS", "0", "BUBBLE_SANDBOX_WARM_SESSION_SANDBOXES", "0");
  private static final long SELF = ProcessHandle.current().pid();

  @Test
  @DisplayName("Deleting a kernel session ends its Python; stopping the server ends the others and their groups")
  void deleteAndShutdown() throws Exception {
    Set<Long> before = KernelProcesses.pythons(SELF);
    TestServer server = TestServer.start(NO_WARM);
    Set<Long> kept;
    try {
      String deleted = server.createSession("{\"kernel\": true}");
      String open = server.createSession("{\"kernel\": true}");
      assertThat(server.execute(deleted, "x = 1").get("kernel").asText()).isEqualTo("restarted");
      Set<Long> first = newPythons(before);
      assertThat(first).isNotEmpty();
      assertThat(server.execute(open, "y = 2").get("kernel").asText()).isEqualTo("restarted");
      Set<Long> both = newPythons(before);
      kept = difference(both, first);
      assertThat(kept).isNotEmpty();

      assertThat(server.delete("/v1/sessions/" + deleted).statusCode()).isEqualTo(204);
      await().atMost(Duration.ofSeconds(15)).until(() -> !KernelProcesses.anyAlive(first));
      assertThat(KernelProcesses.anyAlive(kept)).isTrue();
      assertThat(server.execute(open, "y").get("results").get(0).get("text/plain").asText()).isEqualTo("2");
    } finally {
      server.close();
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> !KernelProcesses.anyAlive(kept));
    assertThat(newPythons(before)).isEmpty();
  }

  @Test
  @DisplayName("An idle kernel session is reaped with its Python")
  void idleReaping() throws Exception {
    Set<Long> before = KernelProcesses.pythons(SELF);
    Map<String, Object> settings = new java.util.HashMap<>(NO_WARM);
    settings.put("session_idle_timeout_seconds", 2);
    try (TestServer server = TestServer.start(settings)) {
      String session = server.createSession("{\"kernel\": true}");
      server.execute(session, "z = 3");
      Set<Long> kernel = newPythons(before);
      assertThat(kernel).isNotEmpty();
      await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/v1/sessions/" + session).statusCode() == 404);
      await().atMost(Duration.ofSeconds(15)).until(() -> !KernelProcesses.anyAlive(kernel));
    }
  }

  @Test
  @DisplayName("After kill -9 the next start removes the kernel's Python and group; the session comes back and starts a fresh kernel")
  void killDashNine() throws Exception {
    Path workspace = Files.createTempDirectory("bubble-kernel-crash-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    ServerProcess first = null;
    ServerProcess second = null;
    try {
      first = ServerProcess.start(workspace, NO_WARM_VARIABLES);
      HttpResponse<String> created = first.send("POST", "/v1/sessions", "{\"session_id\": \"k\", \"kernel\": true}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      JsonNode ran = TestServer.JSON.readTree(first.send("POST", "/v1/sessions/k/execute", "{\"script\": \"x = 1\"}").body());
      assertThat(ran.get("kernel").asText()).isEqualTo("restarted");
      long firstPid = first.pid();
      Set<Long> kernel = KernelProcesses.pythons(firstPid);
      assertThat(kernel).isNotEmpty();
      assertThat(KernelProcesses.groups(firstPid)).isNotEmpty();

      first.kill();

      second = ServerProcess.start(workspace, NO_WARM_VARIABLES);
      // The sweep runs before the sessions come back, so before "server started" (a killed
      // process may still wait a moment to be reaped by its parent).
      await().atMost(Duration.ofSeconds(15)).until(() -> !KernelProcesses.anyAlive(kernel));
      assertThat(KernelProcesses.groups(firstPid)).isEmpty();
      JsonNode session = TestServer.JSON.readTree(second.send("GET", "/v1/sessions/k", null).body());
      assertThat(session.get("kernel").asBoolean()).isTrue();
      JsonNode again = TestServer.JSON.readTree(second.send("POST", "/v1/sessions/k/execute", "{\"script\": \"x\"}").body());
      assertThat(again.get("kernel").asText()).isEqualTo("restarted");
      assertThat(again.get("error").get("name").asText()).isEqualTo("NameError");
      Set<Long> fresh = KernelProcesses.pythons(second.pid());
      assertThat(fresh).isNotEmpty();
      assertThat(second.stop()).isIn(0, 143);
      await().atMost(Duration.ofSeconds(15)).until(() -> !KernelProcesses.anyAlive(fresh));
      assertThat(KernelProcesses.groups(second.pid())).isEmpty();
    } finally {
      for (ServerProcess server : java.util.Arrays.asList(first, second)) {
        if (server != null) {
          server.ensureStopped();
        }
      }
      ServerProcess.removeWorkspace(workspace);
    }
  }

  /** The Pythons in this JVM's sandbox groups that were not there {@code before}. */
  private static Set<Long> newPythons(Set<Long> before) {
    return difference(KernelProcesses.pythons(SELF), before);
  }

  private static Set<Long> difference(Set<Long> all, Set<Long> less) {
    Set<Long> left = new java.util.TreeSet<>(all);
    left.removeAll(less);
    return left;
  }
}
