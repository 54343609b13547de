package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.server.forward.ClusterRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node of a three-node cluster killed with SIGKILL: its sessions answer with a clear error from
 * the others within 15 s, a console relayed to it is closed with a reason, its slots stop
 * counting, the survivors keep serving their own sessions without a failed request, and the
 * node started again on its workspace directory brings its sessions back.
 */
class ClusterNodeLossIT {

  private static final long LOSS_SECONDS = 15;

  private ClusterNodes cluster;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private String create(int node, String id) throws Exception {
    HttpResponse<String> response = cluster.node(node).send("POST", "/v1/sessions", "{\"session_id\": \"" + id + "\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return response.headers().firstValue(ClusterRoutes.NODE_HEADER).orElseThrow();
  }

  @Test
  @DisplayName("SIGKILL of the owner: clear error within 15 s, console closed, slots freed, survivors unharmed; a restart brings the sessions back")
  void ownerKilledAndRestarted() throws Exception {
    cluster = ClusterNodes.start(3, Map.of("BUBBLE_SANDBOX_MAX_SESSIONS", "2"));
    String lostNode = create(2, "on-three");
    create(0, "on-one");
    create(1, "on-two");
    assertThat(cluster.node(2).putBytes("/v1/sessions/on-three/files/kept.txt", "still here".getBytes())
        .statusCode()).isEqualTo(201);
    ConsoleClient console = ConsoleClient.connect(http,
        URI.create("ws://127.0.0.1:" + cluster.node(0).port + "/v1/sessions/on-three/console"), true);

    // The survivors serve their own sessions all along.
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger served = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread load = new Thread(() -> {
      while (running.get()) {
        for (int node = 0; node < 2; node++) {
          String id = node == 0 ? "on-one" : "on-two";
          try {
            HttpResponse<String> response = cluster.node(node).send("POST", "/v1/sessions/" + id + "/execute",
                TestServer.script("print('ok')"));
            if (response.statusCode() != 200) {
              failures.add(id + ": " + response.statusCode() + " " + response.body());
            } else {
              served.incrementAndGet();
            }
          } catch (Exception e) {
            failures.add(id + ": " + e);
          }
        }
      }
    }, "survivor-load");
    load.start();
    Thread.sleep(1_000);   // deliberately: the load runs a while before the loss

    cluster.kill(2);
    long killed = System.nanoTime();
    for (int node = 0; node < 2; node++) {
      HttpResponse<String> response = cluster.node(node).send("POST", "/v1/sessions/on-three/execute",
          TestServer.script("print(1)"));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(response.body()).contains("session_unavailable");
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }
    String closed = console.closed.get(LOSS_SECONDS, TimeUnit.SECONDS);
    assertThat(closed).contains("session_unavailable");

    // Within 15 s the survivors know: two nodes, the lost node's slots and session gone from the counts.
    JsonNode info = await().atMost(Duration.ofSeconds(LOSS_SECONDS)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.clusterInfo(0), seen -> seen.get("nodes").asInt() == 2 && seen.get("slots").asInt() == 4);
    assertThat(info.get("nodes").asInt()).as("%s", info).isEqualTo(2);
    assertThat(info.get("slots").asInt()).isEqualTo(4);
    assertThat(info.get("slots_free").asInt()).isEqualTo(2);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed)).isLessThan(LOSS_SECONDS);
    HttpResponse<String> stillUnavailable = cluster.node(1).send("GET", "/v1/sessions/on-three/files/kept.txt", null);
    assertThat(stillUnavailable.statusCode()).isEqualTo(503);
    assertThat(stillUnavailable.body()).contains("session_unavailable");
    HttpResponse<String> listing = cluster.node(1).send("GET", "/v1/sessions", null);
    assertThat(listing.body()).contains("on-one", "on-two").doesNotContain("on-three");

    Thread.sleep(1_000);   // deliberately: the load runs a while after the loss too
    running.set(false);
    load.join(120_000);
    assertThat(failures).isEmpty();
    assertThat(served.get()).isPositive();

    // Started again on its workspace directory: the same node, with its session and its files.
    cluster.startNode(2);
    cluster.awaitNodes(0, 3, 60);
    HttpResponse<String> back = cluster.node(0).send("GET", "/v1/sessions/on-three", null);
    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    assertThat(back.headers().firstValue(ClusterRoutes.NODE_HEADER)).contains(lostNode);
    HttpResponse<byte[]> file = cluster.node(1).download("/v1/sessions/on-three/files/kept.txt");
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(new String(file.body())).isEqualTo("still here");
    JsonNode sessions = TestServer.JSON.readTree(cluster.node(1).send("GET", "/v1/sessions", null).body()).get("sessions");
    assertThat(sessions.findValuesAsText("session_id")).containsExactlyInAnyOrder("on-one", "on-two", "on-three");
  }
}
