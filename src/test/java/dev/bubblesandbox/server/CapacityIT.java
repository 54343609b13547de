package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.HttpApiIT.assertError;
import static dev.bubblesandbox.server.TestServer.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bounded session counter and executions that never wait behind each other. */
class CapacityIT {

  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(Map.of("max_sessions", 2));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  @DisplayName("With max_sessions=2 the third session gets 503 and Retry-After, and works once one ends")
  void thirdSessionRefused() throws Exception {
    String first = server.createSession("{}");
    server.createSession("{}");
    HttpResponse<String> refused = server.post("/v1/sessions", "{}");
    assertError(refused, 503, "capacity_exhausted");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertError(server.post("/v1/execute", script("print(1)")), 503, "capacity_exhausted");
    // The series exists at zero from start-up: both refusals above must have counted.
    assertThat(HttpApiIT.counter(server.get("/metrics").body(),
        "bubble_sandbox_rejections_total{reason=\"capacity_exhausted\"}")).isEqualTo(2.0);

    assertThat(server.delete("/v1/sessions/" + first).statusCode()).isEqualTo(204);
    assertThat(server.post("/v1/sessions", "{}").statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("A running one-shot execution holds a slot; the slot is free again when it ends")
  void oneShotHoldsSlot() throws Exception {
    server.createSession("{}");
    CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(() -> {
      try {
        return server.post("/v1/execute", script("import time; time.sleep(2)"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // The one-shot holds the second slot once the gauge says so.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
        .until(() -> HttpApiIT.counter(server.get("/metrics").body(), "bubble_sandbox_slots_used") >= 2);
    HttpResponse<String> refused = server.post("/v1/sessions", "{}");
    assertError(refused, 503, "capacity_exhausted");
    assertThat(running.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(server.post("/v1/sessions", "{}").statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("While one session sleeps 5 s, print(1) in another completes long before it")
  void noWaitingBehindAnother() throws Exception {
    String sleeper = server.createSession("{}");
    String quick = server.createSession("{}");
    long started = System.nanoTime();
    CompletableFuture<JsonNode> sleeping = CompletableFuture.supplyAsync(() -> {
      try {
        return server.execute(sleeper, "import time; time.sleep(5)");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
        .until(() -> TestServer.json(server.get("/v1/sessions/" + sleeper)).get("busy").asBoolean());
    JsonNode result = server.execute(quick, "print(1)");
    long quickDone = System.nanoTime();
    assertThat(result.get("stdout").asText()).isEqualTo("1\n");
    assertThat(sleeping.isDone()).isFalse();
    assertThat(TimeUnit.NANOSECONDS.toSeconds(quickDone - started)).isLessThan(5);
    assertThat(sleeping.get(30, TimeUnit.SECONDS).get("return_code").asInt()).isZero();
  }
}
