package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.server.ConsoleClient.Frame;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kernel sessions (SPEC §11) on a real server, through its HTTP API and console, with real
 * kernels: state kept between executions, MIME results, interrupt, restart, the refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelSessionsIT {

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("execution_timeout_seconds", 60,
      "max_inline_result_bytes", 65_536));

  private String kernelSession(String environment) throws Exception {
    return server.createSession("{\"environment\": \"" + environment + "\", \"kernel\": true}");
  }

  private static JsonNode execute(String session, String script) throws Exception {
    return server.execute(session, script);
  }

  /** The main result's bundle of a kernel result. */
  private static JsonNode mainResult(JsonNode result) {
    for (JsonNode bundle : result.get("results")) {
      if (bundle.get("is_main_result").asBoolean()) {
        return bundle;
      }
    }
    throw new AssertionError("no main result in " + result);
  }

  private ConsoleClient console(String session) {
    return ConsoleClient.connect(server.http,
        URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/sessions/" + session + "/console"), true);
  }

  @Test
  @DisplayName("x = 41, then x + 1 is 42: the state stays between executions, counted 1 and 2")
  void stateStays() throws Exception {
    String session = kernelSession("bare");
    try {
      assertThat(TestServer.json(server.get("/v1/sessions/" + session)).get("kernel").asBoolean()).isTrue();
      JsonNode first = execute(session, "x = 41");
      assertThat(first.get("kernel").asText()).isEqualTo("restarted");
      assertThat(first.get("execution_count").asInt()).isEqualTo(1);
      assertThat(first.get("results")).isEmpty();
      assertThat(first.get("error").isNull()).isTrue();

      JsonNode second = execute(session, "print('adding')\nx + 1");
      assertThat(second.get("kernel").asText()).isEqualTo("preserved");
      assertThat(second.get("execution_count").asInt()).isEqualTo(2);
      assertThat(second.get("stdout").asText()).isEqualTo("adding\n");
      assertThat(mainResult(second).get("text/plain").asText()).isEqualTo("42");
      assertThat(second.get("start").asText()).isIn("warm", "cold");

      JsonNode failed = execute(session, "1 / 0");
      assertThat(failed.get("error").get("name").asText()).isEqualTo("ZeroDivisionError");
      assertThat(failed.get("kernel").asText()).isEqualTo("preserved");
      assertThat(execute(session, "x").get("results").get(0).get("text/plain").asText()).isEqualTo("41");

      // shell and command still run in sandboxes of their own, as in any session.
      JsonNode shell = TestServer.json(server.post("/v1/sessions/" + session + "/execute",
          "{\"shell\": \"echo from-shell\"}"));
      assertThat(shell.get("stdout").asText()).isEqualTo("from-shell\n");
      assertThat(shell.has("execution_count")).isFalse();
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }

  @Test
  @DisplayName("A CSV uploaded through the files API is read into a DataFrame, used by the next execution, shown as HTML")
  void dataFrameFromUpload() throws Exception {
    String session = kernelSession("pandas-only");
    try {
      assertThat(server.putBytes("/v1/sessions/" + session + "/files/data.csv",
          "city,people\nLyon,3\nNantes,4\n".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
      JsonNode read = execute(session, "import pandas as pd\ndf = pd.read_csv('data.csv')");
      assertThat(read.get("error").isNull()).as(read.toString()).isTrue();
      JsonNode shown = execute(session, "df[df.people > 3]");
      JsonNode bundle = mainResult(shown);
      assertThat(bundle.get("text/html").asText()).contains("<table").contains("Nantes").doesNotContain("Lyon");
      assertThat(bundle.get("text/plain").asText()).contains("Nantes");
      assertThat(execute(session, "int(df.people.sum())").get("results").get(0).get("text/plain").asText())
          .isEqualTo("7");
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }

  @Test
  @DisplayName("POST /interrupt stops `while True: pass` with KeyboardInterrupt and keeps x; /restart clears it")
  void interruptKeepsRestartClears() throws Exception {
    String session = kernelSession("bare");
    try (ConsoleClient client = console(session)) {
      execute(session, "x = 41");
      client.send("{\"type\": \"execute\", \"id\": \"loop\", \"script\": "
          + "\"print('looping', flush=True)\\nwhile True: pass\"}");
      List<Frame> looping = client.until("stdout", 30);
      assertThat(looping.get(looping.size() - 1).json().get("data").asText()).startsWith("looping");
      // The session is busy: the interrupt goes beside the running execution, not through it.
      assertThat(server.post("/v1/sessions/" + session + "/execute", "{\"script\": \"x\"}").statusCode()).isEqualTo(409);
      long interruptedAt = System.nanoTime();
      assertThat(server.post("/v1/sessions/" + session + "/interrupt", null).statusCode()).isEqualTo(204);
      JsonNode exit = last(client.until("exit", 30)).json();
      System.out.printf("interrupt to exit frame: %d ms%n", (System.nanoTime() - interruptedAt) / 1_000_000);
      assertThat(exit.get("id").asText()).isEqualTo("loop");
      assertThat(exit.get("error").get("name").asText()).isEqualTo("KeyboardInterrupt");
      assertThat(exit.get("kernel").asText()).isEqualTo("preserved");
      assertThat(execute(session, "x").get("results").get(0).get("text/plain").asText()).isEqualTo("41");

      assertThat(server.post("/v1/sessions/" + session + "/restart", null).statusCode()).isEqualTo(204);
      JsonNode after = execute(session, "x");
      assertThat(after.get("kernel").asText()).isEqualTo("restarted");
      assertThat(after.get("error").get("name").asText()).isEqualTo("NameError");
      assertThat(after.get("execution_count").asInt()).isEqualTo(1);
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }

  @Test
  @DisplayName("Console: an interrupt sent right behind a new session's first execute reaches it (before its kernel runs it)")
  void interruptBehindFirstExecute() throws Exception {
    String session = kernelSession("bare");
    try (ConsoleClient client = console(session)) {
      client.send("{\"type\": \"execute\", \"id\": \"c1\", \"script\": \"x = 1\\nwhile True: pass\"}");
      client.send("{\"type\": \"interrupt\"}");
      // Well before the execution's timeout (30 s), which would interrupt it too.
      JsonNode exit = last(client.until("exit", 20)).json();
      assertThat(exit.get("error").get("name").asText()).isEqualTo("KeyboardInterrupt");
      assertThat(exit.get("timed_out").asBoolean()).isFalse();
    }
  }

  @Test
  @DisplayName("Console: stdout, display and result frames in order, then exit with execution_count; interrupt and restart messages")
  void consoleFrames() throws Exception {
    String session = kernelSession("bare");
    try (ConsoleClient client = console(session)) {
      client.send("{\"type\": \"execute\", \"id\": \"c1\", \"script\": "
          + "\"print('before', flush=True)\\ndisplay({'shown': 1})\\nprint('after', flush=True)\\n6 * 7\"}");
      // A print may come as more than one stdout frame (its text, then its end): joined here.
      List<Frame> frames = joinStdout(client.until("exit", 60));
      assertThat(frames).extracting(Frame::type)
          .containsExactly("started", "stdout", "display", "stdout", "result", "exit");
      assertThat(frames).allMatch(frame -> frame.json().get("id").asText().equals("c1"));
      assertThat(frames.get(1).json().get("data").asText()).isEqualTo("before\n");
      assertThat(frames.get(3).json().get("data").asText()).isEqualTo("after\n");
      assertThat(frames.get(2).json().get("data").get("text/plain").asText()).contains("'shown': 1");
      assertThat(frames.get(4).json().get("data").get("text/plain").asText()).isEqualTo("42");
      JsonNode exit = frames.get(5).json();
      assertThat(exit.get("execution_count").asInt()).isEqualTo(1);
      assertThat(exit.get("kernel").asText()).isEqualTo("restarted");
      assertThat(exit.get("error").isNull()).isTrue();
      assertThat(exit.get("results")).hasSize(2);
      assertThat(exit.has("stdout")).isFalse();

      client.send("{\"type\": \"execute\", \"id\": \"c2\", \"script\": "
          + "\"y = 5\\nprint('waiting', flush=True)\\nimport time\\ntime.sleep(600)\"}");
      client.until("stdout", 30);
      client.send("{\"type\": \"interrupt\"}");
      JsonNode interrupted = last(client.until("exit", 30)).json();
      assertThat(interrupted.get("error").get("name").asText()).isEqualTo("KeyboardInterrupt");
      assertThat(interrupted.get("execution_count").asInt()).isEqualTo(2);

      // A restart, then an execute at once: the execute waits for the fresh kernel.
      client.send("{\"type\": \"restart\"}");
      client.send("{\"type\": \"execute\", \"id\": \"c3\", \"script\": \"'y' in dir()\"}");
      List<Frame> fresh = client.until("exit", 60);
      assertThat(fresh).extracting(Frame::type).containsExactly("started", "result", "exit");
      assertThat(fresh.get(1).json().get("data").get("text/plain").asText()).isEqualTo("False");
      assertThat(fresh.get(2).json().get("kernel").asText()).isEqualTo("restarted");

      // A kill ends the kernel itself: the run answers lost, and the next one starts afresh.
      client.send("{\"type\": \"execute\", \"id\": \"c4\", \"script\": "
          + "\"z = 1\\nprint('sleeping', flush=True)\\nimport time\\ntime.sleep(600)\"}");
      client.until("stdout", 30);
      client.send("{\"type\": \"kill\"}");
      JsonNode killed = last(client.until("exit", 30)).json();
      assertThat(killed.get("id").asText()).isEqualTo("c4");
      assertThat(killed.get("killed").asBoolean()).isTrue();
      assertThat(killed.get("kernel").asText()).isEqualTo("lost");
      client.send("{\"type\": \"stdin\", \"id\": \"s\", \"data\": \"x\"}");
      assertThat(client.next(10).json().get("code").asText()).isEqualTo("no_execution");
      client.send("{\"type\": \"execute\", \"id\": \"c5\", \"script\": \"'z' in dir()\"}");
      List<Frame> afterKill = client.until("exit", 60);
      assertThat(afterKill.get(1).json().get("data").get("text/plain").asText()).isEqualTo("False");
      assertThat(last(afterKill).json().get("kernel").asText()).isEqualTo("restarted");
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }

  private static Frame last(List<Frame> frames) {
    return frames.get(frames.size() - 1);
  }

  /** Frames as received, each run of consecutive stdout frames made one. */
  private static List<Frame> joinStdout(List<Frame> frames) {
    List<Frame> joined = new java.util.ArrayList<>();
    for (Frame frame : frames) {
      Frame last = joined.isEmpty() ? null : joined.get(joined.size() - 1);
      if (last != null && last.type().equals("stdout") && frame.type().equals("stdout")) {
        com.fasterxml.jackson.databind.node.ObjectNode merged = last.json().deepCopy();
        merged.put("data", last.json().get("data").asText() + frame.json().get("data").asText());
        joined.set(joined.size() - 1, new Frame(merged, last.receivedNanos()));
      } else {
        joined.add(frame);
      }
    }
    return joined;
  }

  @Test
  @DisplayName("A matplotlib figure comes back as image/png; a value past max_inline_result_bytes as a file of the workspace")
  void figuresAndLargeValues() throws Exception {
    String session = kernelSession("data-science");
    try {
      JsonNode plotted = execute(session, "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()");
      assertThat(plotted.get("error").isNull()).as(plotted.toString()).isTrue();
      JsonNode figure = plotted.get("results").get(0);
      assertThat(figure.get("is_main_result").asBoolean()).isFalse();
      assertThat(java.util.Base64.getDecoder().decode(figure.get("image/png").asText()))
          .startsWith(0x89, 'P', 'N', 'G');

      JsonNode large = mainResult(execute(session, "'x' * 100_000"));
      JsonNode spilled = large.get("text/plain");
      assertThat(spilled.get("mime").asText()).isEqualTo("text/plain");
      assertThat(spilled.get("bytes").asLong()).isGreaterThan(100_000);
      String file = spilled.get("file").asText();
      assertThat(file).startsWith(".results/");
      HttpResponse<byte[]> downloaded = server.download("/v1/sessions/" + session + "/files/" + file);
      assertThat(downloaded.statusCode()).isEqualTo(200);
      assertThat(downloaded.body()).hasSize(spilled.get("bytes").asInt());
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }

  @Test
  @DisplayName("A timeout interrupts the script: timed_out, KeyboardInterrupt, and the state stays")
  void timeoutInterrupts() throws Exception {
    String session = kernelSession("bare");
    try {
      execute(session, "kept = 'yes'");
      JsonNode timedOut = TestServer.json(server.post("/v1/sessions/" + session + "/execute",
          "{\"script\": \"while True: pass\", \"timeout_seconds\": 1}"));
      assertThat(timedOut.get("timed_out").asBoolean()).isTrue();
      assertThat(timedOut.get("limit").asText()).isEqualTo("timeout");
      assertThat(timedOut.get("error").get("name").asText()).isEqualTo("KeyboardInterrupt");
      assertThat(timedOut.get("kernel").asText()).isEqualTo("preserved");
      assertThat(mainResult(execute(session, "kept")).get("text/plain").asText()).isEqualTo("'yes'");
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }

  @Test
  @DisplayName("A session without a kernel: interrupt and restart are 409 not_a_kernel, over HTTP and the console")
  void notAKernel() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = console(session)) {
      assertThat(TestServer.json(server.get("/v1/sessions/" + session)).get("kernel").asBoolean()).isFalse();
      for (String action : List.of("interrupt", "restart")) {
        HttpResponse<String> refused = server.post("/v1/sessions/" + session + "/" + action, null);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(TestServer.json(refused).get("error").get("code").asText()).isEqualTo("not_a_kernel");
        client.send("{\"type\": \"" + action + "\", \"id\": \"" + action + "\"}");
        JsonNode error = client.next(10).json();
        assertThat(error.get("code").asText()).isEqualTo("not_a_kernel");
        assertThat(error.get("id").asText()).isEqualTo(action);
      }
      assertThat(server.post("/v1/sessions/nobody/interrupt", null).statusCode()).isEqualTo(404);
      HttpResponse<String> invalid = server.post("/v1/sessions", "{\"kernel\": \"yes\"}");
      assertThat(invalid.statusCode()).isEqualTo(400);
      // The kernel flag is one of the settings a second create of the same id must agree on.
      String named = "{\"session_id\": \"" + session + "\", \"kernel\": true}";
      assertThat(server.post("/v1/sessions", named).statusCode()).isEqualTo(409);
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }

  @Test
  @DisplayName("From a kernel: no network, no host port, no host files or processes, not root, as in any sandbox")
  void kernelIsSandboxed() throws Exception {
    String session = kernelSession("bare");
    try (ServerSocket hostServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      execute(session, """
          import errno, json, os, socket
          def attempt(host, port):
              s = socket.socket()
              s.settimeout(5)
              try:
                  s.connect((host, port))
                  return "connected"
              except OSError as e:
                  return errno.errorcode.get(e.errno, type(e).__name__)
              finally:
                  s.close()
          """);
      JsonNode probe = execute(session, """
          print(json.dumps({
              "public": attempt("1.1.1.1", 53),
              "host_loopback": attempt("127.0.0.1", %d),
              "interfaces": [line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]],
              "uid": os.getuid(),
              "root_visible": os.path.exists("/root") and bool(os.listdir("/root")),
              "etc_passwd": os.path.exists("/etc/passwd") and "root:" in open("/etc/passwd").read(),
              "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
          }))
          """.formatted(hostServer.getLocalPort()));
      assertThat(probe.get("error").isNull()).as(probe.toString()).isTrue();
      JsonNode out = TestServer.JSON.readTree(probe.get("stdout").asText());
      assertThat(out.get("public").asText()).isEqualTo("ENETUNREACH");
      assertThat(out.get("host_loopback").asText()).isEqualTo("ECONNREFUSED");
      assertThat(out.get("interfaces")).extracting(JsonNode::asText).containsExactly("lo");
      assertThat(out.get("uid").asInt()).isNotZero();
      assertThat(out.get("root_visible").asBoolean()).isFalse();
      assertThat(out.get("etc_passwd").asBoolean()).isFalse();
      // Only the sandbox's own: its init, the kernel and what the kernel started.
      assertThat(out.get("processes").size()).isLessThan(10);
      assertThat(out.get("processes")).extracting(JsonNode::asLong).doesNotContain(ProcessHandle.current().pid());
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }

  @Test
  @DisplayName("Metrics: kernel executions under kind=\"kernel\", the kernels gauge, restarts by reason")
  void metrics() throws Exception {
    String session = kernelSession("bare");
    try {
      execute(session, "1");
      String scraped = server.get("/metrics").body();
      assertThat(scraped).contains("bubble_sandbox_execution_duration_seconds_count{environment=\"bare\",kind=\"kernel\"}");
      assertThat(scraped).containsPattern("(?m)^bubble_sandbox_kernels [1-9]");
      assertThat(server.post("/v1/sessions/" + session + "/restart", null).statusCode()).isEqualTo(204);
      assertThat(server.get("/metrics").body()).containsPattern("(?m)^bubble_sandbox_kernel_restarts_total\\{reason=\"restart\"} [1-9]");
    } finally {
      server.delete("/v1/sessions/" + session);
    }
  }
}
