package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.EnvironmentSync;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Warm sandboxes through a real server: a server with them (the defaults) beside one without
 * ({@code warm_sandboxes: 0}), both on real bwrap and the synced environments, so that each
 * warm result can be compared with the cold result of the same request, byte for byte.
 */
class WarmSandboxesIT {

  /** What a script sees and does, each compared warm against cold. */
  private static final List<String> SCRIPTS = List.of(
      "print('hello')\nimport sys\nprint('to stderr', file=sys.stderr)\nprint('again')",
      "import sys\nprint(__name__, sys.argv, repr(sys.path[0]), '__file__' in globals())",
      "import os\nprint(os.getcwd(), sorted(os.listdir('.')), os.getuid(), os.getgid(), os.getpid(), os.getppid())",
      "import os\nprint(sorted(os.environ.items()))",
      "import sys\nprint(sorted(sys.modules))",
      "print(sorted(globals()))\nimport __main__\nprint(sorted(vars(__main__)))",
      "import os\nprint(sorted(os.listdir('/proc/self/fd')))",
      "import sys\nprint(sys.flags, sys.stdin.isatty(), sys.stdout.encoding, sys.stdout.line_buffering)",
      "def f():\n    1/0\nprint('before')\nf()",
      "def f(:\n    pass",
      "import sys\nprint('exiting')\nsys.exit(3)",
      "raise SystemExit('bye')",
      "import os\nos._exit(7)",
      "import os, signal\nprint('a', flush=True)\nos.kill(os.getpid(), signal.SIGTERM)",
      "raise KeyboardInterrupt",
      "import warnings\nwarnings.warn('careful')\nprint('done')",
      "name = input()\nrest = input()\nprint('hi', name, rest)\nimport sys\nprint(repr(sys.stdin.read()))",
      "print('\\u00e9t\\u00e9 \\U0001F600')\nimport sys\nsys.stdout.write('no newline')",
      // Past what the code pipe holds: written while the sandbox reads.
      "x = 0\n" + "x += 1\n".repeat(30_000) + "print(x)");

  private static TestServer warm;
  private static TestServer cold;
  private static Path environments;

  @BeforeAll
  static void start() throws Exception {
    // The repository's environments, and one whose preload module does not exist.
    environments = Files.createTempDirectory("bubble-sandbox-warm-envs-");
    Path repository = Path.of("environments").toAbsolutePath();
    for (String name : List.of("bare", "pandas-only")) {
      Files.createSymbolicLink(environments.resolve(name), repository.resolve(name));
    }
    Path broken = Files.createDirectories(environments.resolve("broken-preload"));
    Files.writeString(broken.resolve("pyproject.toml"), "[project]\nname = \"broken-preload\"\n"
        + "dependencies = []\n\n[tool.bubble-sandbox]\npreload = [\"no_such_module_anywhere\"]\n");
    new EnvironmentSync(new EnvironmentCatalog(environments), "/usr/bin/python3")
        .sync("broken-preload", line -> { });
    // The sandbox uid must reach the venvs through it.
    Files.setPosixFilePermissions(environments, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    warm = TestServer.start(Map.of("environments_dir", environments.toString()));
    cold = TestServer.start(Map.of("warm_sandboxes", 0));
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (warm != null) {
        warm.close();
      }
      if (cold != null) {
        cold.close();
      }
    } finally {
      dev.bubblesandbox.HostFiles.deleteRecursively(environments);
    }
  }

  private static ObjectNode request(String environment, String script) {
    return TestServer.JSON.createObjectNode().put("environment", environment).put("script", script);
  }

  private static JsonNode run(TestServer server, ObjectNode request) throws Exception {
    HttpResponse<String> response = server.post("/v1/execute", request.toString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return TestServer.json(response);
  }

  /** Waits until {@code environment} has a warm sandbox waiting, then runs {@code request} in it. */
  private static JsonNode runWarm(ObjectNode request) throws Exception {
    String environment = request.path("environment").asText("bare");
    awaitWarm(environment, 1);
    JsonNode result = run(warm, request);
    assertThat(result.path("start").asText()).as("start of %s", request).isEqualTo("warm");
    return result;
  }

  private static void awaitWarm(String environment, int count) {
    await("a warm sandbox for " + environment).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> warmSandboxes(environment) >= count);
  }

  private static double warmSandboxes(String environment) throws Exception {
    String metrics = warm.get("/metrics").body();
    return MetricsIT.sample(metrics, "bubble_sandbox_warm_sandboxes{environment=\"" + environment + "\"}").orElse(0.0);
  }

  /** The fields a script determines: everything but the measurements and the start. */
  private static ObjectNode outcome(JsonNode result) {
    ObjectNode copy = result.deepCopy();
    copy.remove(List.of("duration_ms", "cpu_time_ms", "memory_peak_bytes", "start"));
    return copy;
  }

  @Test
  @DisplayName("a warm execution gives byte for byte the result of a cold one, stdin, tracebacks, exits and signals included")
  void warmIsCold() throws Exception {
    for (String script : SCRIPTS) {
      ObjectNode request = request("bare", script).put("stdin", "Ada\nLovelace\nand more\n");
      JsonNode coldResult = run(cold, request);
      assertThat(coldResult.path("start").asText()).isEqualTo("cold");
      JsonNode warmResult = runWarm(request);
      assertThat(outcome(warmResult)).as("warm result of:%n%s", script).isEqualTo(outcome(coldResult));
    }
  }

  @Test
  @DisplayName("a second warm execution sees nothing of the first: files, globals, variables, processes")
  void warmSandboxesServeOnce() throws Exception {
    String marker = Long.toString(2_000_000L + (System.nanoTime() & 0xFFFFF));
    JsonNode first = runWarm(request("bare", "import os, subprocess\n"
        + "open('/tmp/left-behind', 'w').write('x')\nopen('work-file', 'w').write('x')\n"
        + "os.environ['LEFT'] = '1'\nimport builtins\nbuiltins.LEFT = 1\nGLOBAL_LEFT = 1\n"
        + "subprocess.Popen(['sleep', '" + marker + "'], start_new_session=True)\nprint('started')"));
    assertThat(first.path("stdout").asText()).isEqualTo("started\n");

    JsonNode second = runWarm(request("bare", "import os, builtins\n"
        + "print(os.path.exists('/tmp/left-behind'), os.listdir('.'), os.environ.get('LEFT'),\n"
        + "      hasattr(builtins, 'LEFT'), 'GLOBAL_LEFT' in globals(),\n"
        + "      [p for p in os.listdir('/proc') if p.isdigit()])"));
    assertThat(second.path("stdout").asText()).isEqualTo("False [] None False False ['1', '2']\n");
    // And nothing of the first is left on the host either (once the kill has been reaped).
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(ProcessHandle.allProcesses()
        .filter(process -> process.info().commandLine().orElse("").contains("sleep " + marker)))
        .isEmpty());
  }

  @Test
  @DisplayName("a timeout and a memory hog end a warm execution exactly as a cold one, the timeout counted from the hand-over")
  void limitsAsCold() throws Exception {
    ObjectNode spin = request("bare", "print('spinning', flush=True)\nwhile True:\n    pass").put("timeout_seconds", 2);
    JsonNode coldSpin = run(cold, spin);
    JsonNode warmSpin = runWarm(spin);
    assertThat(outcome(warmSpin)).isEqualTo(outcome(coldSpin));
    assertThat(warmSpin.path("timed_out").asBoolean()).isTrue();
    assertThat(warmSpin.path("limit").asText()).isEqualTo("timeout");
    assertThat(warmSpin.path("duration_ms").asLong()).isBetween(2000L, 10_000L);

    ObjectNode hog = request("bare", "print('allocating', flush=True)\nx = bytearray(300 << 20)\nprint('survived')")
        .put("memory_limit_bytes", 128L << 20);
    JsonNode coldHog = run(cold, hog);
    JsonNode warmHog = runWarm(hog);
    assertThat(outcome(warmHog)).isEqualTo(outcome(coldHog));
    assertThat(warmHog.path("limit").asText()).isEqualTo("memory");
    assertThat(warmHog.path("memory_peak_bytes").asLong()).isLessThanOrEqualTo(128L << 20);
  }

  @Test
  @DisplayName("a fork bomb in a warm sandbox ends at its pids limit and the pool refills for the next executions")
  void forkBombDoesNotDrainThePool() throws Exception {
    JsonNode bomb = runWarm(request("bare", "import os\nwhile True:\n    try:\n        os.fork()\n"
        + "    except OSError:\n        pass").put("timeout_seconds", 5));
    assertThat(bomb.path("limit").asText()).isIn("pids", "timeout");
    for (int i = 0; i < 3; i++) {
      assertThat(runWarm(request("bare", "print(6 * 7)")).path("stdout").asText()).isEqualTo("42\n");
    }
  }

  @Test
  @DisplayName("pandas-only preloads pandas: a warm execution imports it at once")
  void preloadedPandas() throws Exception {
    JsonNode result = runWarm(request("pandas-only", "import time\nt = time.perf_counter()\n"
        + "import pandas as pd\nelapsed = time.perf_counter() - t\n"
        + "print(pd.DataFrame({'a': [1, 2, 3]}).a.sum(), elapsed < 0.05)"));
    assertThat(result.path("stdout").asText()).isEqualTo("6 True\n");
    assertThat(result.path("stderr").asText()).isEmpty();
  }

  @Test
  @DisplayName("a preload that does not import is reported in /v1/info and executions run as without it")
  void brokenPreload() throws Exception {
    JsonNode info = TestServer.json(warm.get("/v1/info"));
    JsonNode broken = null;
    for (JsonNode environment : info.path("environments")) {
      if (environment.path("name").asText().equals("broken-preload")) {
        broken = environment;
      }
    }
    assertThat(broken).isNotNull();
    assertThat(broken.path("ready").asBoolean()).isTrue();
    assertThat(broken.path("preload_error").asText())
        .contains("no_such_module_anywhere", "ModuleNotFoundError");

    JsonNode result = runWarm(request("broken-preload", "import sys\nprint('ok', 'no_such_module_anywhere' in sys.modules)"));
    assertThat(result.path("stdout").asText()).isEqualTo("ok False\n");
    JsonNode failing = run(warm, request("broken-preload", "import no_such_module_anywhere"));
    assertThat(failing.path("stderr").asText()).contains("ModuleNotFoundError");
  }

  @Test
  @DisplayName("session executions are warm from the first, and give the results of cold ones, files and all")
  void sessionExecutionsWarm() throws Exception {
    String warmSession = warm.createSession("{\"environment\": \"bare\"}");
    String coldSession = cold.createSession("{\"environment\": \"bare\"}");
    try {
      List<String> scripts = List.of(
          "import os, sys\nprint(os.getcwd(), sorted(os.listdir('.')), sys.argv, repr(sys.path[0]))",
          "open('notes.txt', 'w').write('kept')\nprint(sorted(globals()))",
          "import sys\nprint(open('notes.txt').read(), open('upload.txt').read(), sorted(sys.modules) == sorted(sys.modules))\n1/0");
      for (int i = 0; i < scripts.size(); i++) {
        if (i == 2) {
          for (TestServer server : List.of(warm, cold)) {
            String session = server == warm ? warmSession : coldSession;
            assertThat(server.putBytes("/v1/sessions/" + session + "/files/upload.txt",
                "uploaded".getBytes(java.nio.charset.StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
          }
        }
        ObjectNode request = TestServer.JSON.createObjectNode().put("script", scripts.get(i));
        JsonNode coldResult = TestServer.json(cold.post("/v1/sessions/" + coldSession + "/execute", request.toString()));
        // The session's next sandbox is started in the background once the last one ended; no
        // metric shows a session's own, and running one to check would use it: time is let pass.
        Thread.sleep(1000);
        JsonNode warmResult = TestServer.json(warm.post("/v1/sessions/" + warmSession + "/execute", request.toString()));
        assertThat(warmResult.path("start").asText()).as("execution %d: %s", i, warmResult).isEqualTo("warm");
        assertThat(outcome(warmResult)).as("session execution of:%n%s", scripts.get(i)).isEqualTo(outcome(coldResult));
      }
    } finally {
      warm.delete("/v1/sessions/" + warmSession);
      cold.delete("/v1/sessions/" + coldSession);
    }
  }

  @Test
  @DisplayName("syncing an environment again retires its warm sandboxes and starts new ones")
  void resyncRetires() throws Exception {
    awaitWarm("broken-preload", 1);
    String venv = environments.resolve("broken-preload/.venv").toString();
    List<ProcessHandle> before = warmProcessesOf(venv);
    assertThat(before).isNotEmpty();

    new EnvironmentSync(new EnvironmentCatalog(environments), "/usr/bin/python3").sync("broken-preload", line -> { });

    await("old warm sandboxes retired, new ones started").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> before.stream().noneMatch(ProcessHandle::isAlive) && !warmProcessesOf(venv).isEmpty());
    JsonNode result = runWarm(request("broken-preload", "print('after the sync')"));
    assertThat(result.path("stdout").asText()).isEqualTo("after the sync\n");
  }

  @Test
  @DisplayName("an environment added while the server runs gets warm sandboxes and its gauge on /metrics")
  void environmentAddedLater() throws Exception {
    Path late = Files.createDirectories(environments.resolve("added-later"));
    try {
      Files.writeString(late.resolve("pyproject.toml"), "[project]\nname = \"added-later\"\ndependencies = []\n");
      assertThat(warm.get("/metrics").body()).doesNotContain("environment=\"added-later\"");

      new EnvironmentSync(new EnvironmentCatalog(environments), "/usr/bin/python3").sync("added-later", line -> { });

      JsonNode result = runWarm(request("added-later", "print('warm from the start')"));
      assertThat(result.path("stdout").asText()).isEqualTo("warm from the start\n");
    } finally {
      dev.bubblesandbox.HostFiles.deleteRecursively(late);
    }
  }

  /** This JVM's warm sandbox processes (bwrap and below) that mount {@code venv}. */
  private static List<ProcessHandle> warmProcessesOf(String venv) {
    return ProcessHandle.current().descendants()
        .filter(process -> {
          String line = process.info().commandLine().orElse("");
          return line.contains(venv) && line.contains("os.read(6,65536)");
        })
        .toList();
  }

  @Test
  @DisplayName("/metrics counts executions by start and shows the warm sandboxes waiting per environment")
  void metrics() throws Exception {
    runWarm(request("bare", "print(1)"));
    String metrics = warm.get("/metrics").body();
    assertThat(MetricsIT.sample(metrics, "bubble_sandbox_executions_total{environment=\"bare\",kind=\"one_shot\","
        + "limit=\"none\",outcome=\"ok\",start=\"warm\"}")).hasValueSatisfying(value -> assertThat(value).isPositive());
    assertThat(MetricsIT.sample(metrics, "bubble_sandbox_warm_sandboxes{environment=\"pandas-only\"}")).isPresent();
    String coldMetrics = cold.get("/metrics").body();
    assertThat(MetricsIT.sample(coldMetrics, "bubble_sandbox_warm_sandboxes{environment=\"bare\"}"))
        .isEqualTo(Optional.of(0.0));
  }
}
