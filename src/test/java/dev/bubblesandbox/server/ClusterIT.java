package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.server.ConsoleClient.Frame;
import dev.bubblesandbox.server.forward.ClusterRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Three real server processes as one cluster (Hazelcast TCP/IP join on 127.0.0.1), two slots
 * each: every node lists every session, any node serves any session (files streamed, the console
 * relayed live with stdin and kill), and a node that is full places a session on another.
 */
class ClusterIT {

  private static ClusterNodes cluster;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ClusterNodes.start(3, Map.of("BUBBLE_SANDBOX_MAX_SESSIONS", "2"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Each test starts with no session anywhere. */
  @AfterEach
  void deleteSessions() throws Exception {
    // A session whose console just closed may still be busy for a moment (409): tried again.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (JsonNode session : list(0)) {
        cluster.node(0).send("DELETE", "/v1/sessions/" + session.get("session_id").asText(), null);
      }
      assertThat(list(0)).isEmpty();
    });
  }

  private static JsonNode list(int node) throws Exception {
    HttpResponse<String> response = cluster.node(node).send("GET", "/v1/sessions", null);
    assertThat(response.statusCode()).isEqualTo(200);
    return TestServer.JSON.readTree(response.body()).get("sessions");
  }

  /** Creates a session through {@code node}; returns its id and the node that holds it. */
  private static String[] create(int node, String body) throws Exception {
    HttpResponse<String> response = cluster.node(node).send("POST", "/v1/sessions", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new String[] {TestServer.JSON.readTree(response.body()).get("session_id").asText(),
        response.headers().firstValue(ClusterRoutes.NODE_HEADER).orElseThrow()};
  }

  private ConsoleClient console(int node, String session) {
    URI uri = URI.create("ws://127.0.0.1:" + cluster.node(node).port + "/v1/sessions/" + session + "/console");
    return ConsoleClient.connect(http, uri, true);
  }

  @Test
  @DisplayName("a session created through node 1 is listed by nodes 2 and 3 with its node; 200/409 hold cluster-wide")
  void listedEverywhere() throws Exception {
    String[] created = create(0, "{\"session_id\": \"shared-one\"}");
    for (int node = 0; node < 3; node++) {
      List<String> seen = new ArrayList<>();
      list(node).forEach(session -> seen.add(session.get("session_id").asText() + "@" + session.get("node").asText()));
      assertThat(seen).as("node %d", node + 1).containsExactly("shared-one@" + created[1]);
    }
    // The same id through another node: the same session (200), or a conflict (409) for other settings.
    HttpResponse<String> again = cluster.node(2).send("POST", "/v1/sessions", "{\"session_id\": \"shared-one\"}");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    HttpResponse<String> conflict = cluster.node(1).send("POST", "/v1/sessions",
        "{\"session_id\": \"shared-one\", \"volumes\": {\"data\": {\"writable\": false}}}");
    assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
    assertThat(conflict.body()).contains("session_conflict");
    HttpResponse<String> read = cluster.node(2).send("GET", "/v1/sessions/shared-one", null);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue(ClusterRoutes.NODE_HEADER)).contains(created[1]);
    // Errors keep their codes through the hop.
    HttpResponse<String> missing = cluster.node(1).send("GET", "/v1/sessions/shared-one/files/nothing.txt", null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("file_not_found");
  }

  @Test
  @DisplayName("upload through node 2, a console run through node 3 (live output), download through node 1: one workspace")
  void anyNodeServesTheSession() throws Exception {
    String session = create(0, "{}")[0];
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) ('a' + Math.floorMod(data[i], 26));
    }
    HttpResponse<String> put = cluster.node(1).putBytes("/v1/sessions/" + session + "/files/input.txt", data);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

    try (ConsoleClient client = console(2, session)) {
      long sent = System.nanoTime();
      client.send("{\"type\": \"execute\", \"id\": \"c1\", \"script\": \"import time\\n"
          + "data = open('input.txt').read()\\nprint('read %d' % len(data), flush=True)\\ntime.sleep(2)\\n"
          + "open('result.txt', 'w').write(data[::-1])\\nprint('done')\"}");
      List<Frame> frames = client.until("exit", 60);
      Frame first = frames.stream().filter(f -> f.type().equals("stdout")).findFirst().orElseThrow();
      Frame exit = frames.get(frames.size() - 1);
      assertThat(first.json().get("data").asText()).startsWith("read " + data.length);
      // Live: the first line came at least most of the 2 s sleep before the end.
      assertThat(TimeUnit.NANOSECONDS.toMillis(exit.receivedNanos() - first.receivedNanos())).isGreaterThan(1_500);
      assertThat(TimeUnit.NANOSECONDS.toMillis(first.receivedNanos() - sent)).isLessThan(exit.receivedNanos() - sent);
      assertThat(exit.json().get("return_code").asInt()).isZero();
    }

    byte[] reversed = new StringBuilder(new String(data, java.nio.charset.StandardCharsets.US_ASCII)).reverse()
        .toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    HttpResponse<byte[]> owner = cluster.node(0).download("/v1/sessions/" + session + "/files/result.txt");
    assertThat(owner.statusCode()).isEqualTo(200);
    assertThat(owner.body()).isEqualTo(reversed);
    HttpResponse<byte[]> other = cluster.node(1).download("/v1/sessions/" + session + "/files/result.txt");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.body()).isEqualTo(reversed);
    HttpResponse<String> executed = cluster.node(2).send("POST", "/v1/sessions/" + session + "/execute",
        TestServer.script("print(open('result.txt').read()[:3])"));
    assertThat(executed.statusCode()).as(executed.body()).isEqualTo(200);
    assertThat(TestServer.JSON.readTree(executed.body()).get("stdout").asText())
        .isEqualTo(new String(reversed, 0, 3, java.nio.charset.StandardCharsets.US_ASCII) + "\n");
  }

  @Test
  @DisplayName("a kernel session through every node: its state, console frames, an HTTP interrupt and restart")
  void kernelSessionThroughEveryNode() throws Exception {
    String session = create(0, "{\"kernel\": true}")[0];
    String path = "/v1/sessions/" + session;
    HttpResponse<String> set = cluster.node(1).send("POST", path + "/execute", TestServer.script("x = 41"));
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    JsonNode added = TestServer.JSON.readTree(cluster.node(2).send("POST", path + "/execute", TestServer.script("x + 1")).body());
    assertThat(added.get("results").get(0).get("text/plain").asText()).isEqualTo("42");
    assertThat(added.get("execution_count").asInt()).isEqualTo(2);
    assertThat(added.get("kernel").asText()).isEqualTo("preserved");

    try (ConsoleClient client = console(2, session)) {
      client.send("{\"type\": \"execute\", \"id\": \"loop\", \"script\": "
          + "\"print('looping', flush=True)\\nwhile True: pass\"}");
      client.until("stdout", 30);
      assertThat(cluster.node(1).send("POST", path + "/interrupt", null).statusCode()).isEqualTo(204);
      List<Frame> frames = client.until("exit", 30);
      JsonNode exit = frames.get(frames.size() - 1).json();
      assertThat(exit.get("error").get("name").asText()).isEqualTo("KeyboardInterrupt");
      assertThat(exit.get("kernel").asText()).isEqualTo("preserved");
      client.send("{\"type\": \"execute\", \"id\": \"shown\", \"script\": \"x\"}");
      List<Frame> shown = client.until("exit", 30);
      assertThat(shown).extracting(Frame::type).containsExactly("started", "result", "exit");
      assertThat(shown.get(1).json().get("data").get("text/plain").asText()).isEqualTo("41");
    }
    assertThat(cluster.node(0).send("POST", path + "/restart", null).statusCode()).isEqualTo(204);
    assertThat(cluster.node(1).send("POST", path + "/restart", null).statusCode()).isEqualTo(204);
    JsonNode fresh = TestServer.JSON.readTree(cluster.node(2).send("POST", path + "/execute", TestServer.script("x")).body());
    assertThat(fresh.get("kernel").asText()).isEqualTo("restarted");
    assertThat(fresh.get("error").get("name").asText()).isEqualTo("NameError");
  }

  @Test
  @DisplayName("stdin and kill work through a node that does not own the session")
  void stdinAndKillThroughAnotherNode() throws Exception {
    String session = create(0, "{}")[0];
    try (ConsoleClient client = console(1, session)) {
      client.send("{\"type\": \"execute\", \"id\": \"echo\", \"script\": "
          + "\"import sys\\nfor line in sys.stdin: print('got ' + line.strip(), flush=True)\"}");
      assertThat(client.next(30).type()).isEqualTo("started");
      client.send("{\"type\": \"stdin\", \"data\": \"one\\n\"}");
      // The line may come in more than one frame.
      StringBuilder echoedLine = new StringBuilder();
      while (!echoedLine.toString().endsWith("\n")) {
        echoedLine.append(client.until("stdout", 30).stream().filter(f -> f.type().equals("stdout"))
            .map(f -> f.json().get("data").asText()).collect(java.util.stream.Collectors.joining()));
      }
      assertThat(echoedLine.toString()).isEqualTo("got one\n");
      client.send("{\"type\": \"stdin\", \"eof\": true}");
      List<Frame> echoed = client.until("exit", 30);
      assertThat(echoed.get(echoed.size() - 1).json().get("return_code").asInt()).isZero();

      client.send("{\"type\": \"execute\", \"id\": \"sleeper\", \"shell\": \"sleep 60\"}");
      assertThat(client.next(30).type()).isEqualTo("started");
      client.send("{\"type\": \"kill\"}");
      Frame exit = client.until("exit", 30).get(0);
      assertThat(exit.json().get("id").asText()).isEqualTo("sleeper");
      assertThat(exit.json().get("killed").asBoolean()).isTrue();
    }
  }

  @Test
  @DisplayName("capacity: 3 nodes x 2 slots, six sessions through node 1 placed across nodes, the seventh 503 + Retry-After")
  void capacityAcrossNodes() throws Exception {
    Map<String, Integer> perNode = new java.util.HashMap<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String[] created = create(0, "{}");
      ids.add(created[0]);
      perNode.merge(created[1], 1, Integer::sum);
    }
    assertThat(perNode.values()).containsExactly(2, 2, 2);
    HttpResponse<String> seventh = cluster.node(0).send("POST", "/v1/sessions", "{}");
    assertThat(seventh.statusCode()).isEqualTo(503);
    assertThat(seventh.headers().firstValue("Retry-After")).isPresent();
    assertThat(seventh.body()).contains("capacity_exhausted");
    HttpResponse<String> oneShot = cluster.node(1).send("POST", "/v1/execute", TestServer.script("print(1)"));
    assertThat(oneShot.statusCode()).isEqualTo(503);
    assertThat(list(2)).hasSize(6);

    // A session of another node deleted through node 1 frees a slot cluster-wide.
    String remote = null;
    for (JsonNode session : list(0)) {
      if (!session.get("node").asText().equals(cluster.clusterInfo(0).get("node").asText())) {
        remote = session.get("session_id").asText();
      }
    }
    assertThat(cluster.node(0).send("DELETE", "/v1/sessions/" + remote, null).statusCode()).isEqualTo(204);
    HttpResponse<String> oneShotNow = cluster.node(0).send("POST", "/v1/execute", TestServer.script("print(6 * 7)"));
    assertThat(oneShotNow.statusCode()).as(oneShotNow.body()).isEqualTo(200);
    assertThat(oneShotNow.body()).contains("42");
    // A throwaway console through the full node 1 is opened where the slot is.
    try (ConsoleClient throwaway = ConsoleClient.connect(http,
        URI.create("ws://127.0.0.1:" + cluster.node(0).port + "/v1/console"), true)) {
      throwaway.send("{\"type\": \"execute\", \"id\": \"t\", \"script\": \"print(6 * 7)\"}");
      List<Frame> frames = throwaway.until("exit", 30);
      assertThat(frames.stream().filter(f -> f.type().equals("stdout")).map(f -> f.json().get("data").asText())
          .collect(java.util.stream.Collectors.joining())).isEqualTo("42\n");
    }
    // Its slot is freed once the socket is gone (asynchronously, on the node that held it).
    HttpResponse<String> again = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.node(0).send("POST", "/v1/sessions", "{}"), response -> response.statusCode() != 503);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);

    JsonNode info = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.clusterInfo(1), seen -> seen.get("sessions").asInt() == 6);
    assertThat(info.get("nodes").asInt()).isEqualTo(3);
    assertThat(info.get("sessions").asInt()).isEqualTo(6);
    assertThat(info.get("slots_free").asInt()).isZero();
    String metrics = cluster.node(2).send("GET", "/metrics", null).body();
    assertThat(metrics).contains("bubble_sandbox_cluster_nodes 3.0", "bubble_sandbox_cluster_slots_free");
  }
}
