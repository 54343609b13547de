package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.HttpApiIT.assertError;
import static dev.bubblesandbox.server.TestServer.json;
import static dev.bubblesandbox.server.TestServer.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bubblesandbox.sandbox.HostProcesses;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Persistence across restarts, idle reaping, and a shutdown that leaves nothing behind. */
class ServerLifecycleIT {

  @Test
  @DisplayName("A session deleted with clear_data=false finds its files again after a server restart")
  void persistenceAcrossRestart() throws Exception {
    Path workspace = Files.createTempDirectory("bubble-persist-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    byte[] data = new byte[3000];
    new Random(7).nextBytes(data);
    TestServer first = TestServer.start(workspace, Map.of());
    try {
      assertThat(first.createSession("{\"session_id\": \"keeper\"}")).isEqualTo("keeper");
      assertThat(first.putBytes("/v1/sessions/keeper/files/data/blob.txt", data).statusCode()).isEqualTo(201);
      first.createSession("{\"session_id\": \"dropped\"}");
      first.putBytes("/v1/sessions/dropped/files/gone.txt", "x".getBytes());
      assertThat(first.delete("/v1/sessions/keeper?clear_data=false").statusCode()).isEqualTo(204);
      assertError(first.get("/v1/sessions/keeper"), 404, "session_not_found");
    } finally {
      first.stopKeepingWorkspace();
    }
    assertThat(workspace.resolve("sessions/dropped")).doesNotExist();

    TestServer second = TestServer.start(workspace, Map.of());
    try {
      assertThat(second.post("/v1/sessions", "{\"session_id\": \"keeper\"}").statusCode()).isEqualTo(201);
      HttpResponse<byte[]> download = second.download("/v1/sessions/keeper/files/data/blob.txt");
      assertThat(download.statusCode()).isEqualTo(200);
      assertThat(download.body()).isEqualTo(data);
      assertThat(second.execute("keeper", "print(len(open('data/blob.txt', 'rb').read()))")
          .get("stdout").asText()).isEqualTo("3000\n");
      // Re-created, it is an ordinary session again: a plain delete clears it.
      assertThat(second.delete("/v1/sessions/keeper").statusCode()).isEqualTo(204);
      assertThat(workspace.resolve("sessions/keeper")).doesNotExist();
    } finally {
      second.close();
    }
  }

  @Test
  @DisplayName("A graceful stop removes never-kept sessions and keeps a re-opened kept one, which is open again after the restart")
  void gracefulRestartKeepsKeptSessions() throws Exception {
    Path workspace = Files.createTempDirectory("bubble-graceful-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    try {
      TestServer first = TestServer.start(workspace, Map.of());
      String createdAt;
      try {
        first.createSession("{\"session_id\": \"plain\"}");
        assertThat(first.putBytes("/v1/sessions/plain/files/p.txt", "p".getBytes()).statusCode()).isEqualTo(201);
        first.createSession("{\"session_id\": \"again\"}");
        assertThat(first.putBytes("/v1/sessions/again/files/a.txt", "a".getBytes()).statusCode()).isEqualTo(201);
        assertThat(first.delete("/v1/sessions/again?clear_data=false").statusCode()).isEqualTo(204);
        createdAt = json(first.post("/v1/sessions", "{\"session_id\": \"again\"}")).get("created_at").asText();
        assertThat(first.putBytes("/v1/sessions/again/files/b.txt", "b".getBytes()).statusCode()).isEqualTo(201);
      } finally {
        first.stopKeepingWorkspace();
      }
      assertThat(workspace.resolve("sessions/plain")).doesNotExist();
      assertThat(workspace.resolve("records/plain.json")).doesNotExist();

      try (TestServer second = TestServer.start(workspace, Map.of())) {
        HttpResponse<String> listing = second.get("/v1/sessions");
        assertThat(json(listing).get("sessions")).hasSize(1);
        assertThat(json(listing).get("sessions").get(0).get("session_id").asText()).isEqualTo("again");
        assertThat(json(listing).get("sessions").get(0).get("created_at").asText()).isEqualTo(createdAt);
        assertThat(second.execute("again", "print(open('a.txt').read() + open('b.txt').read())")
            .get("stdout").asText()).isEqualTo("ab\n");
        assertError(second.get("/v1/sessions/plain"), 404, "session_not_found");
      }
    } finally {
      dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
    }
  }

  @Test
  @DisplayName("A session kept by an earlier version (an empty persistent/<id> marker, no record) keeps its files after an upgrade")
  void legacyKeptMarkerAdopted() throws Exception {
    Path workspace = Files.createTempDirectory("bubble-legacy-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    try {
      TestServer first = TestServer.start(workspace, Map.of());
      try {
        first.createSession("{\"session_id\": \"old\"}");
        assertThat(first.putBytes("/v1/sessions/old/files/o.txt", "old data".getBytes()).statusCode()).isEqualTo(201);
        assertThat(first.delete("/v1/sessions/old?clear_data=false").statusCode()).isEqualTo(204);
      } finally {
        first.stopKeepingWorkspace();
      }
      // The layout an earlier version left: the workspace and a marker, no record.
      Files.delete(workspace.resolve("records/old.json"));
      Files.createDirectories(workspace.resolve("persistent"));
      Files.writeString(workspace.resolve("persistent/old"), "");

      try (TestServer second = TestServer.start(workspace, Map.of())) {
        assertThat(workspace.resolve("records/old.json")).exists();
        assertThat(workspace.resolve("persistent")).doesNotExist();
        assertThat(second.post("/v1/sessions", "{\"session_id\": \"old\"}").statusCode()).isEqualTo(201);
        assertThat(new String(second.download("/v1/sessions/old/files/o.txt").body())).isEqualTo("old data");
      }
    } finally {
      dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
    }
  }

  @Test
  @DisplayName("With persistent sessions disabled, clear_data=false gets 403 and the session stays")
  void persistenceDisabled() throws Exception {
    try (TestServer server = TestServer.start(Map.of("allow_persistent_sessions", false))) {
      String id = server.createSession("{}");
      assertError(server.delete("/v1/sessions/" + id + "?clear_data=false"), 403, "persistence_disabled");
      assertThat(server.get("/v1/sessions/" + id).statusCode()).isEqualTo(200);
      assertError(server.delete("/v1/sessions/" + id + "?clear_data=maybe"), 400, "invalid_request");
    }
  }

  @Test
  @DisplayName("A session idle past session_idle_timeout_seconds is ended and its data cleared")
  void idleSessionsReaped() throws Exception {
    try (TestServer server = TestServer.start(Map.of("session_idle_timeout_seconds", 1))) {
      String id = server.createSession("{}");
      server.putBytes("/v1/sessions/" + id + "/files/a.txt", "x".getBytes());
      Path dir = server.workspace.resolve("sessions").resolve(id);
      assertThat(dir).exists();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/v1/sessions/" + id).statusCode() != 200);
      assertError(server.get("/v1/sessions/" + id), 404, "session_not_found");
      await().atMost(Duration.ofMillis(2_500)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(dir).doesNotExist());
    }
  }

  @Test
  @DisplayName("Stopping lets a running execution finish within the grace period, then leaves no sandbox, launcher or workspace")
  void gracefulStop() throws Exception {
    TestServer server = TestServer.start(Map.of("shutdown_grace_seconds", 2));
    String id = server.createSession("{}");
    CompletableFuture<HttpResponse<String>> finishing = CompletableFuture.supplyAsync(() -> {
      try {
        return server.post("/v1/sessions/" + id + "/execute", script("import time; time.sleep(1); print('done')"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    String other = server.createSession("{}");
    CompletableFuture<HttpResponse<String>> endless = CompletableFuture.supplyAsync(() -> {
      try {
        return server.post("/v1/sessions/" + other + "/execute", script("import time; time.sleep(600)"));
      } catch (Exception e) {
        return null;
      }
    });
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
        .until(() -> json(server.get("/v1/sessions/" + other)).get("busy").asBoolean()
            && json(server.get("/v1/sessions/" + id)).get("busy").asBoolean());
    long stopping = System.nanoTime();
    server.close();
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopping)).isLessThan(20);
    HttpResponse<String> finished = finishing.get(10, TimeUnit.SECONDS);
    assertThat(finished.statusCode()).isEqualTo(200);
    assertThat(json(finished).get("stdout").asText()).isEqualTo("done\n");
    endless.get(10, TimeUnit.SECONDS);
    assertThat(HostProcesses.containing("time.sleep(600)")).isEmpty();
    // The launchers it kept ready are gone too (no other server of this JVM runs now).
    assertThat(ProcessHandle.current().descendants().filter(process -> process.info().arguments()
        .map(args -> java.util.Arrays.asList(args).contains("bubble-sandbox-launch")).orElse(false)))
        .isEmpty();
    assertThat(server.workspace).doesNotExist();
  }
}
