package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bubblesandbox.server.ConsoleClient.Frame;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The WebSocket console of SPEC §5 with a real WebSocket client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleIT {

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("execution_timeout_seconds", 20, "max_output_bytes", 1 << 20));

  private ConsoleClient console(String session) {
    return ConsoleClient.connect(server.http,
        URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/sessions/" + session + "/console"), true);
  }

  @Test
  @DisplayName("Output streams live: 'a' arrives before the script's 2 s sleep can have ended, exit last")
  void liveStreaming() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = console(session)) {
      long sent = System.nanoTime();
      client.send("{\"type\": \"execute\", \"id\": \"c1\", \"script\": "
          + "\"import time; print('a'); time.sleep(2); print('b')\"}");
      List<Frame> frames = client.until("exit", 30);
      assertThat(frames.get(0).type()).isEqualTo("started");
      assertThat(frames.get(0).json().get("id").asText()).isEqualTo("c1");
      Frame a = frames.stream().filter(f -> f.type().equals("stdout") && f.json().get("data").asText().contains("a"))
          .findFirst().orElseThrow();
      assertThat(TimeUnit.NANOSECONDS.toMillis(a.receivedNanos() - sent)).isLessThan(1_800);
      Frame exit = frames.get(frames.size() - 1);
      assertThat(exit.json().get("id").asText()).isEqualTo("c1");
      assertThat(exit.json().get("return_code").asInt()).isZero();
      assertThat(exit.json().get("timed_out").asBoolean()).isFalse();
      assertThat(exit.json().has("duration_ms")).isTrue();
      assertThat(exit.json().has("stdout")).isFalse();
      assertThat(stdout(frames)).isEqualTo("a\nb\n");
    }
  }

  @Test
  @DisplayName("stdin is fed live; kill ends a running execution; executions follow one another")
  void stdinKillAndSequence() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = console(session)) {
      client.send("{\"type\": \"execute\", \"id\": \"echo\", \"script\": "
          + "\"import sys\\nfor line in sys.stdin: print('got', line.strip(), flush=True)\"}");
      assertThat(client.next(10).type()).isEqualTo("started");
      client.send("{\"type\": \"stdin\", \"data\": \"one\\n\"}");
      assertThat(client.until("stdout", 10).get(0).json().get("data").asText()).startsWith("got");
      client.send("{\"type\": \"stdin\", \"eof\": true}");
      List<Frame> echoed = client.until("exit", 10);
      assertThat(echoed.get(echoed.size() - 1).json().get("return_code").asInt()).isZero();

      client.send("{\"type\": \"execute\", \"id\": \"sleeper\", \"shell\": \"sleep 30\"}");
      assertThat(client.next(10).type()).isEqualTo("started");
      client.send("{\"type\": \"execute\", \"id\": \"second\", \"script\": \"print(1)\"}");
      Frame busy = client.next(10);
      assertThat(busy.type()).isEqualTo("error");
      assertThat(busy.json().get("code").asText()).isEqualTo("session_busy");
      client.send("{\"type\": \"kill\"}");
      Frame exit = client.until("exit", 10).get(0);
      assertThat(exit.json().get("id").asText()).isEqualTo("sleeper");
      assertThat(exit.json().get("return_code").asInt()).isEqualTo(-9);

      client.send("{\"type\": \"execute\", \"id\": \"third\", \"command\": [\"python\", \"-c\", \"print(3)\"]}");
      List<Frame> third = client.until("exit", 10);
      assertThat(third).extracting(Frame::type).contains("started", "stdout", "exit");
    }
  }

  @Test
  @DisplayName("Bad messages get an error frame and the socket stays open")
  void badMessages() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = console(session)) {
      client.send("not json");
      assertThat(client.next(5).json().get("code").asText()).isEqualTo("invalid_json");
      client.send("{\"type\": \"dance\"}");
      assertThat(client.next(5).json().get("code").asText()).isEqualTo("invalid_message");
      client.send("{\"type\": \"execute\", \"script\": 1}");
      assertThat(client.next(5).json().get("code").asText()).isEqualTo("invalid_request");
      client.send("{\"type\": \"stdin\", \"data\": \"x\"}");
      assertThat(client.next(5).json().get("code").asText()).isEqualTo("no_execution");
      client.send("{\"type\": \"execute\", \"id\": \"ok\", \"script\": \"print('still open')\"}");
      assertThat(stdout(client.until("exit", 10))).isEqualTo("still open\n");
    }
  }

  @Test
  @DisplayName("The throwaway console makes a session that ends with the socket")
  void throwawayConsole() throws Exception {
    int before = TestServer.json(server.get("/v1/sessions")).get("sessions").size();
    ConsoleClient client = ConsoleClient.connect(server.http,
        URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/console?environment=bare"), true);
    Frame hello = client.next(5);
    assertThat(hello.type()).isEqualTo("session");
    client.send("{\"type\": \"execute\", \"id\": \"t\", \"script\": \"print('throwaway')\"}");
    assertThat(stdout(client.until("exit", 10))).isEqualTo("throwaway\n");
    assertThat(TestServer.json(server.get("/v1/sessions")).get("sessions").size()).isEqualTo(before + 1);
    client.socket.sendClose(1000, "bye").join();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
        assertThat(TestServer.json(server.get("/v1/sessions")).get("sessions").size()).isEqualTo(before));
    assertThat(server.get("/v1/console?environment=nope").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("A client that never reads while a script prints 100 MB: output is cut, the server keeps answering")
  void neverReadingClient() throws Exception {
    String session = server.createSession("{}");
    long heapBefore = usedHeap();
    try (ConsoleClient client = ConsoleClient.connect(server.http,
        URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/sessions/" + session + "/console"), false)) {
      client.send("{\"type\": \"execute\", \"id\": \"flood\", \"script\": "
          + "\"import sys\\nfor _ in range(100): sys.stdout.write('x' * (1 << 20))\"}");
      await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(20))
          .until(() -> TestServer.json(server.get("/v1/sessions/" + session)).get("busy").asBoolean());
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> !TestServer.json(server.get("/v1/sessions/" + session)).get("busy").asBoolean());
      assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
      System.gc();
      assertThat(usedHeap() - heapBefore).isLessThan(64L << 20);
      client.socket.request(Long.MAX_VALUE);
      Frame exit = client.until("exit", 30).stream().reduce((first, second) -> second).orElseThrow();
      assertThat(exit.json().get("truncated").asBoolean()).isTrue();
    }
  }

  @Test
  @DisplayName("An error answers the message that caused it: its id, or none when it had none")
  void errorsCarryTheirMessagesId() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = console(session)) {
      client.send("{\"type\": \"execute\", \"id\": \"c5\", \"shell\": \"sleep 30\"}");
      client.send("{\"type\": \"execute\", \"id\": \"c6\", \"script\": \"print(6)\"}");
      List<Frame> frames = client.until("error", 10);
      assertThat(frames).extracting(Frame::type).containsExactly("started", "error");
      assertThat(frames.get(0).json().get("id").asText()).isEqualTo("c5");
      assertThat(frames.get(1).json().get("code").asText()).isEqualTo("session_busy");
      assertThat(frames.get(1).json().get("id").asText()).isEqualTo("c6");

      client.send("not json");
      Frame garbage = client.next(5);
      assertThat(garbage.json().get("code").asText()).isEqualTo("invalid_json");
      assertThat(garbage.json().has("id")).isFalse();
      client.send("{\"type\": \"execute\", \"id\": \"c7\", \"script\": 1}");
      Frame invalid = client.next(5);
      assertThat(invalid.json().get("code").asText()).isEqualTo("invalid_request");
      assertThat(invalid.json().get("id").asText()).isEqualTo("c7");
      client.send("{\"type\": \"execute\", \"script\": 1}");
      Frame anonymous = client.next(5);
      assertThat(anonymous.json().get("code").asText()).isEqualTo("invalid_request");
      assertThat(anonymous.json().has("id")).isFalse();
      client.send("{\"type\": \"dance\", \"id\": \"d1\"}");
      assertThat(client.next(5).json().get("id").asText()).isEqualTo("d1");

      client.send("{\"type\": \"kill\"}");
      Frame exit = client.until("exit", 10).get(0);
      assertThat(exit.json().get("id").asText()).isEqualTo("c5");
    }
  }

  @Test
  @DisplayName("kill with nothing running is answered; exit says killed; output frames carry the execution's id")
  void killAnswersAndOutputIds() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = console(session)) {
      client.send("{\"type\": \"kill\", \"id\": \"k0\"}");
      Frame idle = client.next(5);
      assertThat(idle.type()).isEqualTo("error");
      assertThat(idle.json().get("code").asText()).isEqualTo("no_execution");
      assertThat(idle.json().get("id").asText()).isEqualTo("k0");

      client.send("{\"type\": \"execute\", \"id\": \"both\", \"script\": "
          + "\"import sys; print('out'); print('err', file=sys.stderr)\"}");
      List<Frame> frames = client.until("exit", 10);
      List<Frame> output = frames.stream().filter(f -> f.type().equals("stdout") || f.type().equals("stderr")).toList();
      assertThat(output).extracting(Frame::type).contains("stdout", "stderr");
      assertThat(output).allSatisfy(f -> assertThat(f.json().get("id").asText()).isEqualTo("both"));
      assertThat(frames.get(frames.size() - 1).json().get("killed").asBoolean(true)).isFalse();

      client.send("{\"type\": \"execute\", \"id\": \"sleeper\", \"shell\": \"sleep 30\"}");
      assertThat(client.next(10).type()).isEqualTo("started");
      client.send("{\"type\": \"kill\"}");
      Frame exit = client.until("exit", 10).get(0);
      assertThat(exit.json().get("killed").asBoolean()).isTrue();
      assertThat(exit.json().get("limit").isNull()).isTrue();
      assertThat(exit.json().get("return_code").asInt()).isEqualTo(-9);
    }
  }

  @Test
  @DisplayName("A kill during an output flood past the output cap reports killed, not limit 'output'")
  void killDuringOutputFlood() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = console(session)) {
      client.send("{\"type\": \"execute\", \"id\": \"flood\", \"script\": "
          + "\"import sys\\nwhile True: sys.stdout.write('x' * 65536); sys.stdout.flush()\"}");
      // The script writes without pause: a while after its first 256 KiB it is far past the
      // 1 MiB cap (output frames may be dropped on the way, so the count is not the test).
      long received = 0;
      while (received < 256 * 1024) {
        Frame frame = client.next(20);
        if (frame.type().equals("stdout")) {
          received += frame.json().get("data").asText().length();
        }
      }
      Thread.sleep(1_500);   // deliberately: the script runs on, far past the cap, before the kill
      client.send("{\"type\": \"kill\"}");
      Frame exit = client.until("exit", 20).stream().reduce((first, second) -> second).orElseThrow();
      assertThat(exit.json().get("id").asText()).isEqualTo("flood");
      assertThat(exit.json().get("limit").isNull()).as("limit in %s", exit.json()).isTrue();
      assertThat(exit.json().get("truncated").asBoolean()).isTrue();
      assertThat(exit.json().get("killed").asBoolean()).isTrue();
    }
  }

  @Test
  @DisplayName("stdin and kill sent before 'started' reach the execution they follow")
  void messagesBeforeStarted() throws Exception {
    String session = server.createSession("{}");
    try (ConsoleClient client = console(session)) {
      client.send("{\"type\": \"execute\", \"id\": \"cat\", \"script\": "
          + "\"import sys\\nprint(sys.stdin.read().upper(), end='')\"}");
      client.send("{\"type\": \"stdin\", \"data\": \"early \"}");
      client.send("{\"type\": \"stdin\", \"data\": \"bird\"}");
      client.send("{\"type\": \"stdin\", \"eof\": true}");
      List<Frame> frames = client.until("exit", 10);
      assertThat(frames).extracting(Frame::type).doesNotContain("error");
      assertThat(stdout(frames)).isEqualTo("EARLY BIRD");

      client.send("{\"type\": \"execute\", \"id\": \"doomed\", \"shell\": \"sleep 30\"}");
      client.send("{\"type\": \"kill\"}");
      List<Frame> killed = client.until("exit", 10);
      assertThat(killed).extracting(Frame::type).containsExactly("started", "exit");
      assertThat(killed.get(1).json().get("killed").asBoolean()).isTrue();
    }
  }

  /** The stdout frames' data, joined: the process's writes may arrive in several chunks. */
  private static String stdout(List<Frame> frames) {
    return frames.stream().filter(f -> f.type().equals("stdout"))
        .map(f -> f.json().get("data").asText()).reduce("", String::concat);
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
