package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A running {@code serve -c FILE} takes a new API key and a new {@code max_sessions} from its
 * edited file, as a Kubernetes ConfigMap update edits it, without a restart; a malformed edit is
 * refused with one log line and the settings in force stay.
 */
class ConfigReloadIT {

  private static final String OLD_KEY = "reload-test-old-key-0123456789";
  private static final String NEW_KEY = "reload-test-new-key-9876543210";
  /** Far beyond the scan period: a reload that has not happened by then never will. */
  private static final long DEADLINE_SECONDS = 60;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private Path workspace;
  private Path config;
  private ServerProcess server;

  @BeforeEach
  void start() throws Exception {
    workspace = Files.createTempDirectory("config-reload-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    config = Files.createTempDirectory("config-reload-conf-").resolve("config.yaml");
    edit("api_key: " + OLD_KEY + "\nmax_sessions: 1\nconfig_scan_period_ms: 200\nwarm_sandboxes: 0\n");
    server = ServerProcess.start(workspace, ServerProcess.freePort(), Map.of(), List.of("-c", config.toString()));
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.ensureStopped();
    }
    ServerProcess.removeWorkspace(workspace);
    Files.deleteIfExists(config);
    Files.deleteIfExists(config.getParent());
  }

  @Test
  @DisplayName("a new key and max_sessions take effect within the scan period, same process; a malformed edit keeps them")
  void reloadsKeyAndMaxSessions() throws Exception {
    long pid = server.pid();
    assertThat(status("GET", "/v1/sessions", OLD_KEY)).isEqualTo(200);
    assertThat(status("GET", "/v1/sessions", NEW_KEY)).isEqualTo(401);
    assertThat(status("POST", "/v1/sessions", OLD_KEY)).isEqualTo(201);
    assertThat(status("POST", "/v1/sessions", OLD_KEY)).isEqualTo(503);

    // A setting that needs a restart rides along: logged once, not taken.
    edit("api_key: " + NEW_KEY + "\nmax_sessions: 2\nconfig_scan_period_ms: 200\nwarm_sandboxes: 0\n"
        + "session_idle_timeout_seconds: 120\n");
    awaitStatus("GET", "/v1/sessions", NEW_KEY, 200);

    assertThat(status("GET", "/v1/sessions", OLD_KEY)).isEqualTo(401);
    assertThat(status("POST", "/v1/sessions", NEW_KEY)).isEqualTo(201);
    assertThat(status("POST", "/v1/sessions", NEW_KEY)).isEqualTo(503);
    server.awaitLine("session_idle_timeout_seconds changed; it takes effect at the next restart", 10);

    edit("api_key: [" + OLD_KEY + "\nmax_sessions: 5\n");
    server.awaitLine("refused, the settings in force stay", (int) DEADLINE_SECONDS);
    assertThat(status("GET", "/v1/sessions", NEW_KEY)).isEqualTo(200);
    assertThat(status("GET", "/v1/sessions", OLD_KEY)).isEqualTo(401);
    assertThat(status("POST", "/v1/sessions", NEW_KEY)).isEqualTo(503);

    // A good edit after the bad one is taken again: the scans went on through the bad file.
    edit("api_key: " + NEW_KEY + "\nmax_sessions: 3\nconfig_scan_period_ms: 200\nwarm_sandboxes: 0\n"
        + "session_idle_timeout_seconds: 120\n");
    awaitStatus("POST", "/v1/sessions", NEW_KEY, 201);

    assertThat(server.pid()).isEqualTo(pid);
    assertThat(server.isAlive()).isTrue();
    assertThat(server.stop()).isIn(0, 143);
    List<String> lines = server.lines();
    assertThat(lines).filteredOn(line -> line.contains("refused, the settings in force stay")).hasSize(1)
        .allMatch(line -> line.contains(config.toString()) && line.contains("is not a YAML mapping"));
    assertThat(lines).filteredOn(line -> line.contains("session_idle_timeout_seconds changed")).hasSize(1);
    assertThat(lines).noneMatch(line -> line.contains("Error while scanning configuration"));
    assertThat(lines).noneMatch(line -> line.contains(OLD_KEY) || line.contains(NEW_KEY));
    assertThat(lines).filteredOn(line -> line.contains("configuration file " + config + " reloaded")).hasSize(2);
  }

  @Test
  @DisplayName("a tenant added to api_keys can call at once, within its own bound, and is counted in /metrics")
  void addsTenant() throws Exception {
    edit("api_keys:\n  - {tenant: team-a, key_sha256: " + sha256(OLD_KEY) + "}\n"
        + "  - {tenant: team-b, key_sha256: " + sha256(NEW_KEY) + ", max_sessions: 1}\n"
        + "max_sessions: 4\nconfig_scan_period_ms: 200\nwarm_sandboxes: 0\n");
    awaitStatus("GET", "/v1/sessions", NEW_KEY, 200);

    assertThat(status("GET", "/v1/sessions", OLD_KEY)).isEqualTo(200);
    assertThat(status("POST", "/v1/sessions", NEW_KEY)).isEqualTo(201);
    assertThat(status("POST", "/v1/sessions", NEW_KEY)).isEqualTo(429);
    assertThat(metrics()).contains("bubble_sandbox_tenant_sessions{tenant=\"team-b\"} 1.0");
  }

  @Test
  @DisplayName("warm sandboxes turned on by a reload are started and waiting")
  void turnsWarmSandboxesOn() throws Exception {
    assertThat(metrics()).contains("bubble_sandbox_warm_sandboxes{environment=\"bare\"} 0.0");

    edit("api_key: " + OLD_KEY + "\nmax_sessions: 1\nconfig_scan_period_ms: 200\nwarm_sandboxes: 1\n");

    awaitWarm(1);
  }

  @Test
  @DisplayName("after a reload changes the limits, warm sandboxes started with the old ones are not used; new ones serve")
  void warmSandboxesFollowReloadedLimits() throws Exception {
    edit("api_key: " + OLD_KEY + "\nmax_sessions: 1\nconfig_scan_period_ms: 200\nwarm_sandboxes: 1\n"
        + "memory_limit_bytes: 268435456\n");
    awaitWarm(1);
    assertThat(executeStart()).isEqualTo("warm");

    edit("api_key: " + OLD_KEY + "\nmax_sessions: 1\nconfig_scan_period_ms: 200\nwarm_sandboxes: 1\n"
        + "memory_limit_bytes: 671088640\n");
    await("the second reload").atMost(Duration.ofSeconds(DEADLINE_SECONDS))
        .until(() -> server.lines().stream().filter(line -> line.contains(" reloaded")).count() == 2);
    // A request at the new default fits no sandbox started with the old limits (nor with the
    // start-up default, 512 MiB, which a pool that missed the reload would still use); refilled
    // with the new limits, it starts warm.
    await().atMost(Duration.ofSeconds(DEADLINE_SECONDS)).pollInterval(Duration.ofMillis(200))
        .until(this::executeStart, "warm"::equals);
  }

  @Test
  @DisplayName("a file emptied by an editor (truncated before it is written) is refused: the settings in force stay")
  void emptiedFileIsRefused() throws Exception {
    Files.writeString(config, "");
    server.awaitLine("the file is empty", (int) DEADLINE_SECONDS);
    assertThat(status("GET", "/v1/sessions", OLD_KEY)).isEqualTo(200);
    assertThat(status("POST", "/v1/sessions", OLD_KEY)).isEqualTo(201);
    assertThat(status("POST", "/v1/sessions", OLD_KEY)).isEqualTo(503);
  }

  private void awaitWarm(int count) {
    String waiting = "bubble_sandbox_warm_sandboxes{environment=\"bare\"} " + count + ".0";
    await("a warm sandbox waiting").atMost(Duration.ofSeconds(DEADLINE_SECONDS)).pollInterval(Duration.ofMillis(100))
        .until(() -> metrics().contains(waiting));
  }

  /** How a one-shot {@code print(1)} started: "warm" or "cold". */
  private String executeStart() throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(server.uri("/v1/execute")).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + OLD_KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"environment\": \"bare\", \"script\": \"print(1)\"}")).build();
    String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("start").asText();
  }

  private String metrics() throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(server.uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static String sha256(String key) throws java.security.NoSuchAlgorithmException {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** Replaces the file in one step, as Kubernetes swaps a ConfigMap's files: no scan reads half of it. */
  private void edit(String content) throws IOException {
    Path next = Files.writeString(config.resolveSibling("config.yaml.next"), content);
    Files.move(next, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private int status(String method, String path, String key) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + key);
    if (method.equals("POST")) {
      request.header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"environment\": \"bare\"}"));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private void awaitStatus(String method, String path, String key, int expected) {
    await(method + " " + path + " answering " + expected).atMost(Duration.ofSeconds(DEADLINE_SECONDS))
        .pollInterval(Duration.ofMillis(100)).until(() -> status(method, path, key) == expected);
  }
}
