package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A crash never deletes data that no client asked to delete: the server runs as a process of its
 * own, is killed with SIGKILL, and is started again on the same workspace directory.
 */
class CrashRecoveryIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Path workspace;
  private final List<ServerProcess> servers = new ArrayList<>();

  @BeforeEach
  void makeWorkspace() throws Exception {
    workspace = Files.createTempDirectory("bubble-crash-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
  }

  @AfterEach
  void stopServersAndRemoveWorkspace() throws Exception {
    for (ServerProcess server : servers) {
      server.ensureStopped();
    }
    ServerProcess.removeWorkspace(workspace);
  }

  private ServerProcess start(Map<String, String> settings) throws Exception {
    ServerProcess server = ServerProcess.start(workspace, settings);
    servers.add(server);
    return server;
  }

  @Test
  @DisplayName("After kill -9, a kept, a re-opened kept and an open session all come back with the same files")
  void everySessionSurvivesSigkill() throws Exception {
    ServerProcess first = start(Map.of());
    byte[] keptFile = random(1, 200_000);
    byte[] reopenedFile = random(2, 50_000);
    byte[] reopenedLater = random(3, 70_000);
    byte[] openFile = random(4, 300_000);

    create(first, "{\"session_id\": \"kept\"}");
    assertThat(first.putBytes("/v1/sessions/kept/files/data/k.txt", keptFile).statusCode()).isEqualTo(201);
    assertThat(first.send("DELETE", "/v1/sessions/kept?clear_data=false", null).statusCode()).isEqualTo(204);

    create(first, "{\"session_id\": \"reopened\"}");
    assertThat(first.putBytes("/v1/sessions/reopened/files/r.txt", reopenedFile).statusCode()).isEqualTo(201);
    assertThat(first.send("DELETE", "/v1/sessions/reopened?clear_data=false", null).statusCode()).isEqualTo(204);
    create(first, "{\"session_id\": \"reopened\"}");
    assertThat(first.download("/v1/sessions/reopened/files/r.txt").body()).isEqualTo(reopenedFile);
    assertThat(first.putBytes("/v1/sessions/reopened/files/r2.txt", reopenedLater).statusCode()).isEqualTo(201);

    JsonNode open = create(first,
        "{\"session_id\": \"open\", \"environment\": \"bare\", \"volumes\": {\"shared\": {\"writable\": true}}}");
    assertThat(first.putBytes("/v1/sessions/open/files/a.txt", openFile).statusCode()).isEqualTo(201);
    // A file the sandbox writes, not the server: it lands in the workspace the same way.
    JsonNode made = execute(first, "open",
        "import os, hashlib\n"
            + "data = os.urandom(123456)\n"
            + "open('made.txt', 'wb').write(data)\n"
            + "print(hashlib.sha256(data).hexdigest())\n");
    String madeSum = made.get("stdout").asText().strip();
    Map<String, String> openSums = checksums(first, "open");
    Map<String, String> reopenedSums = checksums(first, "reopened");
    assertThat(openSums).containsEntry("made.txt", madeSum).containsEntry("a.txt", sha256(openFile));
    assertThat(reopenedSums).containsEntry("r.txt", sha256(reopenedFile)).containsEntry("r2.txt", sha256(reopenedLater));

    first.kill();

    ServerProcess second = start(Map.of());
    assertThat(sessionIds(second)).containsExactlyInAnyOrder("open", "reopened");
    JsonNode restored = JSON.readTree(second.send("GET", "/v1/sessions/open", null).body());
    assertThat(restored.get("created_at")).isEqualTo(open.get("created_at"));
    assertThat(restored.get("environment")).isEqualTo(open.get("environment"));
    assertThat(restored.get("volumes")).isEqualTo(open.get("volumes"));
    assertThat(restored.get("busy").asBoolean()).isFalse();
    assertThat(checksums(second, "open")).isEqualTo(openSums);
    assertThat(checksums(second, "reopened")).isEqualTo(reopenedSums);
    // Both run code again, in their own workspace, seeing the same bytes.
    assertThat(execute(second, "open", sumScript("made.txt")).get("stdout").asText().strip()).isEqualTo(madeSum);
    assertThat(execute(second, "reopened", sumScript("r2.txt")).get("stdout").asText().strip())
        .isEqualTo(sha256(reopenedLater));
    assertThat(execute(second, "open", "open('/sandbox/volumes/shared/v.txt', 'w').write('v'); print('ok')")
        .get("stdout").asText()).isEqualTo("ok\n");

    // The kept session is still ended, and its files wait for it.
    assertThat(second.send("GET", "/v1/sessions/kept", null).statusCode()).isEqualTo(404);
    create(second, "{\"session_id\": \"kept\"}");
    assertThat(sha256(second.download("/v1/sessions/kept/files/data/k.txt").body())).isEqualTo(sha256(keptFile));
    assertThat(second.lines()).noneMatch(line -> line.contains("\"level\":\"ERROR\""));

    assertThat(second.stop()).isIn(0, 143);
    assertThat(ServerProcess.mountsUnder(workspace)).isEmpty();
  }

  @Test
  @DisplayName("Vert.x's file cache lives in workspace_dir, never in the temporary directory; the next start removes a killed server's")
  void fileCacheLeftByAKilledServer() throws Exception {
    Path tmp = Files.createTempDirectory("bubble-crash-tmp-");
    try {
      Map<String, String> privateTmp = Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
      ServerProcess first = start(privateTmp);
      // The console page is served out of the jar, through the cache.
      assertThat(first.send("GET", "/", null).statusCode()).isEqualTo(200);
      Set<String> caches = fileCaches(workspace);
      assertThat(caches).hasSize(1);
      first.kill();
      assertThat(fileCaches(tmp)).as("file caches in java.io.tmpdir").isEmpty();

      ServerProcess second = start(privateTmp);
      assertThat(second.send("GET", "/", null).statusCode()).isEqualTo(200);
      assertThat(fileCaches(workspace)).hasSize(1).doesNotContainAnyElementsOf(caches);
      assertThat(fileCaches(tmp)).isEmpty();
    } finally {
      dev.bubblesandbox.HostFiles.deleteRecursively(tmp);
    }
  }

  private static Set<String> fileCaches(Path dir) throws Exception {
    try (var children = Files.list(dir)) {
      return new TreeSet<>(children.map(child -> child.getFileName().toString())
          .filter(name -> name.startsWith("vertx-cache")).toList());
    }
  }

  @Test
  @DisplayName("A record whose workspace is gone is named in one log line and dropped; the server starts and keeps the rest")
  void lostWorkspaceIsReported() throws Exception {
    ServerProcess first = start(Map.of());
    byte[] file = random(5, 10_000);
    create(first, "{\"session_id\": \"doomed\"}");
    assertThat(first.putBytes("/v1/sessions/doomed/files/d.txt", file).statusCode()).isEqualTo(201);
    create(first, "{\"session_id\": \"fine\"}");
    assertThat(first.putBytes("/v1/sessions/fine/files/f.txt", file).statusCode()).isEqualTo(201);
    first.kill();

    // Lost behind the server's back: the image where workspaces are size-limited, else the directory.
    Path image = workspace.resolve("images/doomed.img");
    if (Files.exists(image)) {
      Files.delete(image);
    } else {
      dev.bubblesandbox.HostFiles.deleteRecursively(workspace.resolve("sessions/doomed"));
    }

    ServerProcess second = start(Map.of());
    List<String> naming = second.lines().stream().filter(line -> line.contains("doomed")).toList();
    assertThat(naming).hasSize(1);
    assertThat(naming.get(0)).contains("\"level\":\"ERROR\"").contains("\"session_id\":\"doomed\"");
    assertThat(sessionIds(second)).containsExactly("fine");
    assertThat(second.download("/v1/sessions/fine/files/f.txt").body()).isEqualTo(file);
    assertThat(second.send("GET", "/v1/sessions/doomed", null).statusCode()).isEqualTo(404);
    assertThat(second.stop()).isIn(0, 143);

    // Reported once: the next start knows nothing of it (and "fine", never kept, ended with the
    // graceful stop, as documented).
    ServerProcess third = start(Map.of());
    assertThat(third.lines()).noneMatch(line -> line.contains("doomed"));
    assertThat(sessionIds(third)).isEmpty();
    assertThat(third.stop()).isIn(0, 143);
    assertThat(ServerProcess.mountsUnder(workspace)).isEmpty();
  }

  @Test
  @DisplayName("More records than max_sessions after a restart: all come back, it is logged, and new sessions wait")
  void moreRecordsThanSlots() throws Exception {
    ServerProcess first = start(Map.of("BUBBLE_SANDBOX_MAX_SESSIONS", "3"));
    for (String id : List.of("s1", "s2", "s3")) {
      create(first, "{\"session_id\": \"" + id + "\"}");
      assertThat(first.putBytes("/v1/sessions/" + id + "/files/x.txt", id.getBytes()).statusCode()).isEqualTo(201);
    }
    first.kill();

    ServerProcess second = start(Map.of("BUBBLE_SANDBOX_MAX_SESSIONS", "2"));
    assertThat(sessionIds(second)).containsExactlyInAnyOrder("s1", "s2", "s3");
    assertThat(second.lines()).anyMatch(line -> line.contains("more sessions restored than max_sessions"));
    assertThat(second.send("POST", "/v1/sessions", "{}").statusCode()).isEqualTo(503);
    assertThat(second.send("DELETE", "/v1/sessions/s1", null).statusCode()).isEqualTo(204);
    assertThat(second.send("POST", "/v1/sessions", "{}").statusCode()).isEqualTo(503);
    assertThat(second.send("DELETE", "/v1/sessions/s2", null).statusCode()).isEqualTo(204);
    assertThat(second.send("POST", "/v1/sessions", "{}").statusCode()).isEqualTo(201);
    assertThat(new String(second.download("/v1/sessions/s3/files/x.txt").body())).isEqualTo("s3");
    assertThat(second.stop()).isIn(0, 143);
    assertThat(ServerProcess.mountsUnder(workspace)).isEmpty();
  }

  @Test
  @DisplayName("A second server on a workspace directory in use refuses to start, naming it, and the first keeps its sessions")
  void secondServerOnTheSameWorkspaceRefused() throws Exception {
    ServerProcess first = start(Map.of());
    create(first, "{\"session_id\": \"mine\"}");
    assertThat(first.putBytes("/v1/sessions/mine/files/m.txt", "mine".getBytes()).statusCode()).isEqualTo(201);
    Map.Entry<Integer, String> second = ServerProcess.failedStart(workspace, Map.of());
    assertThat(second.getKey()).as(second.getValue()).isEqualTo(125);
    assertThat(second.getValue()).contains(workspace.toString()).contains("in use by another running bubble-sandbox server")
        .contains("pid");
    assertThat(new String(first.download("/v1/sessions/mine/files/m.txt").body())).isEqualTo("mine");
    assertThat(execute(first, "mine", "print(open('m.txt').read())").get("stdout").asText()).isEqualTo("mine\n");
    // A crash releases the directory with the process.
    first.kill();
    ServerProcess third = start(Map.of());
    assertThat(sessionIds(third)).containsExactly("mine");
    assertThat(third.stop()).isIn(0, 143);
  }

  private static JsonNode create(ServerProcess server, String body) throws Exception {
    HttpResponse<String> response = server.send("POST", "/v1/sessions", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return JSON.readTree(response.body());
  }

  private static JsonNode execute(ServerProcess server, String id, String script) throws Exception {
    HttpResponse<String> response = server.send("POST", "/v1/sessions/" + id + "/execute",
        JSON.createObjectNode().put("script", script).toString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(response.body());
    assertThat(result.get("return_code").asInt()).as(response.body()).isZero();
    return result;
  }

  private static String sumScript(String file) {
    return "import hashlib; print(hashlib.sha256(open('" + file + "', 'rb').read()).hexdigest())";
  }

  private static Set<String> sessionIds(ServerProcess server) throws Exception {
    Set<String> ids = new TreeSet<>();
    JSON.readTree(server.send("GET", "/v1/sessions", null).body()).get("sessions")
        .forEach(session -> ids.add(session.get("session_id").asText()));
    return ids;
  }

  /** Every file of the session, as the server lists and serves it, by its SHA-256. */
  private static Map<String, String> checksums(ServerProcess server, String id) throws Exception {
    Map<String, String> sums = new java.util.TreeMap<>();
    HttpResponse<String> listing = server.send("GET", "/v1/sessions/" + id + "/files", null);
    assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
    for (JsonNode file : JSON.readTree(listing.body()).get("files")) {
      String path = file.get("path").asText();
      HttpResponse<byte[]> download = server.download("/v1/sessions/" + id + "/files/" + path);
      assertThat(download.statusCode()).isEqualTo(200);
      sums.put(path, sha256(download.body()));
    }
    return sums;
  }

  private static byte[] random(long seed, int size) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
