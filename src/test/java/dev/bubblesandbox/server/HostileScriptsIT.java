package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.sandbox.HostProcesses;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile scripts each end with a clear result while another session runs {@code print(1)} at
 * the same time and the server stays ready.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileScriptsIT {

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("execution_timeout_seconds", 20));

  /** Runs {@code hostile} in one session and print(1) in another meanwhile; returns the hostile result. */
  private JsonNode runBesideAnother(String hostile, Integer timeoutSeconds) throws Exception {
    String attacker = server.createSession("{}");
    String bystander = server.createSession("{}");
    try {
      CompletableFuture<JsonNode> attack = CompletableFuture.supplyAsync(() -> {
        try {
          var body = TestServer.JSON.createObjectNode().put("script", hostile);
          if (timeoutSeconds != null) {
            body.put("timeout_seconds", timeoutSeconds);
          }
          return TestServer.json(server.post("/v1/sessions/" + attacker + "/execute", body.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() ->
          TestServer.json(server.get("/v1/sessions/" + attacker)).get("busy").asBoolean() || attack.isDone());
      assertThat(server.execute(bystander, "print(1)").get("stdout").asText()).isEqualTo("1\n");
      assertThat(server.get("/health/ready").statusCode()).isEqualTo(200);
      JsonNode result = attack.get(60, TimeUnit.SECONDS);
      assertThat(server.execute(bystander, "print(2)").get("stdout").asText()).isEqualTo("2\n");
      return result;
    } finally {
      server.delete("/v1/sessions/" + attacker);
      server.delete("/v1/sessions/" + bystander);
    }
  }

  @Test
  @DisplayName("Fork bomb: ended by the task limit")
  void forkBomb() throws Exception {
    JsonNode result = runBesideAnother("import os\nwhile True:\n    os.fork()\n", null);
    assertThat(result.get("limit").asText()).as(result.toString()).isEqualTo("pids");
    assertThat(result.get("timed_out").asBoolean()).isFalse();
  }

  @Test
  @DisplayName("Memory hog allocating 4 GiB: ended with limit 'memory'")
  void memoryHog() throws Exception {
    JsonNode result = runBesideAnother("x = bytearray(4 * 1024 ** 3)\nprint('allocated')\n", null);
    assertThat(result.get("limit").asText()).as(result.toString()).isEqualTo("memory");
    assertThat(result.get("return_code").asInt()).isEqualTo(-9);
    assertThat(result.get("stdout").asText()).isEmpty();
    assertThat(result.get("memory_peak_bytes").asLong()).isLessThanOrEqualTo(512L << 20);
  }

  @Test
  @DisplayName("CPU spinner on 8 threads: held to one CPU and ended by the timeout")
  void cpuSpinner() throws Exception {
    JsonNode result = runBesideAnother("import multiprocessing\n"
        + "def spin():\n    while True: pass\n"
        + "for _ in range(8): multiprocessing.Process(target=spin).start()\n"
        + "spin()\n", 3);
    assertThat(result.get("timed_out").asBoolean()).isTrue();
    assertThat(result.get("limit").asText()).isEqualTo("timeout");
    // One CPU's worth at most (with scheduling slack), where 8 spinners could take both cores.
    assertThat(result.get("cpu_time_ms").asLong())
        .isLessThan((long) (result.get("duration_ms").asLong() * 1.3));
  }

  @Test
  @DisplayName("/tmp filler: ENOSPC at the tmpfs size, host disk untouched")
  void tmpFiller() throws Exception {
    assertFillStopsAt("/tmp/fill", 32L << 20);
  }

  @Test
  @DisplayName("Workspace filler: ENOSPC at the workspace quota, host disk untouched")
  void workspaceFiller() throws Exception {
    assertFillStopsAt("fill.bin", 150L << 20);
  }

  /** Writes {@code path} until the disk says no; the host disk may lose at most {@code hostBytes}. */
  private void assertFillStopsAt(String path, long hostBytes) throws Exception {
    FileStore host = Files.getFileStore(server.workspace);
    long freeBefore = host.getUsableSpace();
    JsonNode result = runBesideAnother("import errno\n"
        + "f = open('" + path + "', 'wb')\n"
        + "try:\n    while True: f.write(b'x' * (1 << 20)); f.flush()\n"
        + "except OSError as e:\n    print(errno.errorcode[e.errno])\n", null);
    assertThat(result.get("stdout").asText()).isEqualTo("ENOSPC\n");
    assertThat(freeBefore - host.getUsableSpace()).isLessThan(hostBytes);
  }

  @Test
  @DisplayName("A process that ignores SIGTERM and double-forks is gone once the execution returns")
  void doubleForkIgnoringSigterm() throws Exception {
    JsonNode result = runBesideAnother("import os, signal, time\n"
        + "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        + "if os.fork() == 0:\n"
        + "    os.setsid()\n"
        + "    if os.fork() == 0:\n"
        + "        os.execvp('sleep', ['sleep', '4242'])\n"
        + "    os._exit(0)\n"
        + "time.sleep(0.5)\nprint('parent done')\n", null);
    assertThat(result.get("stdout").asText()).isEqualTo("parent done\n");
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(HostProcesses.containing("sleep 4242")).isEmpty());
  }

  @Test
  @DisplayName("Output flood of 100 MB: truncated, the process ends normally")
  void outputFlood() throws Exception {
    JsonNode result = runBesideAnother("import sys\nfor _ in range(100): sys.stdout.write('x' * (1 << 20))\n", null);
    assertThat(result.get("truncated").asBoolean()).isTrue();
    assertThat(result.get("limit").asText()).isEqualTo("output");
    assertThat(result.get("return_code").asInt()).isZero();
    assertThat(result.get("stdout").asText()).hasSize(1 << 20);
  }

  @Test
  @DisplayName("Results carry cpu_time_ms and memory_peak_bytes; requests may lower limits, never raise them")
  void measuredAndLowered() throws Exception {
    JsonNode ok = TestServer.json(server.post("/v1/execute", TestServer.script("print(sum(range(10**6)))")));
    assertThat(ok.get("cpu_time_ms").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(ok.get("memory_peak_bytes").asLong()).isPositive();
    JsonNode lowered = TestServer.json(server.post("/v1/execute",
        "{\"script\": \"x = bytearray(100 * 1024 ** 2)\", \"memory_limit_bytes\": 67108864}"));
    assertThat(lowered.get("limit").asText()).isEqualTo("memory");
    HttpApiIT.assertError(server.post("/v1/execute",
        "{\"script\": \"1\", \"memory_limit_bytes\": 1073741824}"), 400, "invalid_request");
    HttpApiIT.assertError(server.post("/v1/execute",
        "{\"script\": \"1\", \"pids_limit\": 100000}"), 400, "invalid_request");
    HttpApiIT.assertError(server.post("/v1/execute",
        "{\"script\": \"1\", \"cpu_limit\": 4}"), 400, "invalid_request");
    JsonNode info = TestServer.json(server.get("/v1/info"));
    assertThat(info.get("limits").get("mechanism").asText()).isEqualTo("cgroup-v1");
    assertThat(info.get("limits").get("memory_bytes").asLong()).isEqualTo(512L << 20);
    assertThat(info.get("limits").get("pids").asInt()).isEqualTo(128);
    assertThat(info.get("environments").findValuesAsText("name")).contains("bare");
  }
}
