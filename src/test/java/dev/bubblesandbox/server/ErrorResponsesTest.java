package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.sandbox.SandboxUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one error handler, on a real router and port, without sandboxes: the body and status come
 * from the failure's code, and nothing internal leaks.
 */
@ExtendWith(VertxExtension.class)
class ErrorResponsesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private SimpleMeterRegistry registry;
  private HttpServer server;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    registry = new SimpleMeterRegistry();
    ErrorResponses errors = new ErrorResponses(new SandboxMetrics(registry, null, java.util.List.of()));
    Router router = Router.router(vertx);
    router.get("/code/:code").handler(routing -> {
      throw new RefusedException(ErrorCode.valueOf(routing.pathParam("code")), "Because of " + routing.pathParam("code") + ".");
    });
    router.get("/unavailable").handler(routing -> {
      throw new SandboxUnavailableException("/usr/bin/bwrap: cannot join /sys/fs/cgroup/x");
    });
    router.get("/decode").handler(routing -> routing.fail(new DecodeException("bad")));
    router.get("/vertx/:status").handler(routing ->
        routing.fail(new HttpException(Integer.parseInt(routing.pathParam("status")))));
    router.get("/bug").handler(routing -> {
      throw new IllegalStateException("secret at /etc/shadow");
    });
    router.route().failureHandler(errors::handle);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode error(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.size()).isEqualTo(1);
    assertThat(body.get("error").size()).as(response.body()).isEqualTo(2);
    return body.get("error");
  }

  @Test
  @DisplayName("Every code answers with its own status and code, its message, Retry-After on 503 and 429")
  void everyCode() throws Exception {
    for (ErrorCode code : ErrorCode.values()) {
      HttpResponse<String> response = get("/code/" + code.name());
      assertThat(response.statusCode()).as(code.code()).isEqualTo(code.httpStatus());
      assertThat(error(response).get("code").asText()).isEqualTo(code.code());
      assertThat(error(response).get("message").asText()).isEqualTo("Because of " + code.name() + ".");
      assertThat(response.headers().firstValue("Retry-After").isPresent()).as(code.code())
          .isEqualTo(code.httpStatus() == 503 || code.httpStatus() == 429);
    }
    assertThat(registry.get("bubble_sandbox_rejections").tag("reason", "session_busy").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.find("bubble_sandbox_rejections").tag("reason", "internal_error").counter()).isNull();
  }

  @Test
  @DisplayName("A failure naming host paths, or a bug, answers without them")
  void nothingInternal() throws Exception {
    HttpResponse<String> unavailable = get("/unavailable");
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(error(unavailable).get("code").asText()).isEqualTo("sandbox_unavailable");
    assertThat(unavailable.body()).doesNotContain("/usr/bin").doesNotContain("cgroup");
    HttpResponse<String> bug = get("/bug");
    assertThat(bug.statusCode()).isEqualTo(500);
    assertThat(error(bug).get("code").asText()).isEqualTo("internal_error");
    assertThat(bug.body()).doesNotContain("shadow").doesNotContain("IllegalState");
  }

  @Test
  @DisplayName("Bad JSON is invalid_json; a bare Vert.x status keeps its status with its code")
  void bareStatuses() throws Exception {
    HttpResponse<String> decode = get("/decode");
    assertThat(decode.statusCode()).isEqualTo(400);
    assertThat(error(decode).get("code").asText()).isEqualTo("invalid_json");
    for (int status : new int[] {403, 404, 405, 413, 415, 408}) {
      HttpResponse<String> response = get("/vertx/" + status);
      assertThat(response.statusCode()).isEqualTo(status);
      assertThat(error(response).get("code").asText()).as("%s", status).isEqualTo(ErrorCode.ofHttpStatus(status).code());
    }
    assertThat(error(get("/vertx/413")).get("message").asText()).isEqualTo("The request body is too large.");
  }
}
