package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The restricted profile of {@code k8s/} as far as this host can reproduce it: a real server
 * process with no cgroup hierarchy mounted, no loop devices, and only the capabilities that
 * {@code k8s/base/statefulset.yaml} adds (read from the manifest). It starts only with the
 * profile's {@code BUBBLE_SANDBOX_ALLOW_UNLIMITED}, reports what the README says, and every
 * operation works with those capabilities (creating workspaces for the sandbox uid, uploads into
 * them, ending a sandbox at its timeout, deleting a session). The pod's user namespace is not
 * reproduced: within it the same capabilities apply.
 */
@DisplayName("k8s/ restricted profile: no cgroups, no loop devices, the manifest's capabilities")
final class RestrictedProfileIT {

  private static final Path PROJECT = Path.of("").toAbsolutePath();
  /** Hides the cgroup mounts and loop devices in a mount namespace of its own, then drops capabilities. */
  private static final String POD_LIKE = String.join("\n",
      "set -e",
      "mount --make-rprivate /",
      "mount -t tmpfs none /sys/fs/cgroup",
      "dev=$(mktemp -d)",
      "mount -t tmpfs none \"$dev\"",
      "for node in null zero random urandom full tty; do touch \"$dev/$node\"; mount --bind \"/dev/$node\" \"$dev/$node\"; done",
      "mkdir \"$dev/pts\" \"$dev/shm\"",
      "mount --move \"$dev\" /dev",
      "exec setpriv --inh-caps=-all --bounding-set=-all,\"$CAPABILITIES\" -- \"$@\"");

  private Path workspace;
  private Process server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void makeWorkspace() throws IOException {
    // The sandbox uid must search every directory above the workspaces.
    workspace = Files.createTempDirectory("bubble-restricted-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
  }

  @AfterEach
  void stopAndRemove() throws Exception {
    if (server != null && server.isAlive()) {
      server.destroy();
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly();
        server.waitFor(30, TimeUnit.SECONDS);
      }
    }
    ServerProcess.removeWorkspace(workspace);
  }

  @Test
  @DisplayName("without allow_unlimited it refuses to start, naming the CPU limit")
  void refusesWithoutAllowUnlimited() throws Exception {
    Path log = workspace.resolve("server.log");
    server = start(freePort(), "false", log);
    assertThat(server.waitFor(120, TimeUnit.SECONDS)).as("the server exits").isTrue();
    assertThat(server.exitValue()).isEqualTo(122);
    assertThat(Files.readString(log)).contains("cannot enforce the cpu limits", "BUBBLE_SANDBOX_ALLOW_UNLIMITED=true");
  }

  @Test
  @DisplayName("with the profile's settings it reports rlimits and no workspace quota, and serves sessions")
  void servesSessions() throws Exception {
    int port = freePort();
    Path log = workspace.resolve("server.log");
    server = start(port, allowUnlimited(), log);
    awaitStarted(log);
    String base = "http://127.0.0.1:" + port;

    JsonObject limits = new JsonObject(send("GET", base + "/v1/info", null, 200)).getJsonObject("limits");
    assertThat(limits.getString("mechanism")).isEqualTo("rlimit");
    assertThat(limits.getValue("cpus")).isNull();
    assertThat(limits.getValue("workspace_bytes")).isNull();
    assertThat(limits.getString("workspace_mechanism")).isEqualTo("none");
    assertThat(send("GET", base + "/health/ready", null, 200)).contains("ready");

    send("POST", base + "/v1/sessions", "{\"environment\": \"bare\", \"session_id\": \"pod\"}", 201);
    send("PUT", base + "/v1/sessions/pod/files/in.txt", "hello\n", 201);
    JsonObject run = new JsonObject(send("POST", base + "/v1/sessions/pod/execute",
        "{\"script\": \"import os\\nopen('out.txt', 'w').write(open('in.txt').read().upper())\\nprint(os.getuid())\"}", 200));
    assertThat(run.getString("stdout")).isEqualTo("1000\n");
    assertThat(send("GET", base + "/v1/sessions/pod/files/out.txt", null, 200)).isEqualTo("HELLO\n");
    JsonObject endless = new JsonObject(send("POST", base + "/v1/sessions/pod/execute",
        "{\"script\": \"import time\\nwhile True: time.sleep(1)\", \"timeout_seconds\": 2}", 200));
    assertThat(endless.getBoolean("timed_out")).isTrue();
    send("DELETE", base + "/v1/sessions/pod/files/out.txt", null, 204);
    send("DELETE", base + "/v1/sessions/pod", null, 204);
    assertThat(workspace.resolve("ws/sessions/pod")).doesNotExist();
  }

  /** The capabilities the restricted StatefulSet adds, in setpriv's form. */
  private static String capabilities() {
    Map<String, Object> security = K8sManifests.at(container(), "securityContext", "capabilities");
    assertThat(K8sManifests.list(security.get("drop"))).containsExactly("ALL");
    return K8sManifests.list(security.get("add")).stream()
        .map(name -> "+" + name.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(","));
  }

  private static String allowUnlimited() {
    return K8sManifests.list(container().get("env")).stream().map(K8sManifests::map)
        .filter(variable -> "BUBBLE_SANDBOX_ALLOW_UNLIMITED".equals(variable.get("name")))
        .map(variable -> variable.get("value").toString()).findFirst().orElseThrow();
  }

  private static Map<String, Object> container() {
    Map<String, Object> statefulSet = K8sManifests.one(K8sManifests.render(PROJECT.resolve("k8s")), "StatefulSet");
    return K8sManifests.map(K8sManifests.list(K8sManifests.at(statefulSet, "spec", "template", "spec").get("containers")).get(0));
  }

  private Process start(int port, String allowUnlimited, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(List.of("unshare", "--mount", "sh", "-c", POD_LIKE, "pod",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.bubblesandbox.cli.Main", "serve"))
        .directory(PROJECT.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> name.startsWith("BUBBLE_SANDBOX_"));
    environment.put("CAPABILITIES", capabilities());
    environment.put("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.resolve("ws").toString());
    environment.put("BUBBLE_SANDBOX_ENVIRONMENTS_DIR", PROJECT.resolve("environments").toString());
    environment.put("BUBBLE_SANDBOX_HTTP_HOST", "127.0.0.1");
    environment.put("BUBBLE_SANDBOX_HTTP_PORT", Integer.toString(port));
    environment.put("BUBBLE_SANDBOX_ALLOW_UNLIMITED", allowUnlimited);
    return builder.start();
  }

  private void awaitStarted(Path log) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
          .failFast(() -> !server.isAlive())
          .until(() -> Files.readString(log).contains("\"server started\""));
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new AssertionError("the server did not start: " + Files.readString(log), e);
    }
  }

  private String send(String method, String url, String body, int status) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + url + ": " + response.body()).isEqualTo(status);
    return response.body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
