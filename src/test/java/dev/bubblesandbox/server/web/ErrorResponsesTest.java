package dev.bubblesandbox.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.server.metrics.SandboxMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.junit5.VertxExtension;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The one error handler, on a real router and port, without sandboxes: the body and status come
 * from the failure's code, and nothing internal leaks.
 */
@ExtendWith(VertxExtension.class)
class ErrorResponsesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private SimpleMeterRegistry registry;
  /** What ErrorResponses logs, with the MDC each line had. */
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private HttpServer server;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    logged.start();
    errorLogger().addAppender(logged);
    registry = new SimpleMeterRegistry();
    ErrorResponses errors = new ErrorResponses(new SandboxMetrics(registry, null, java.util.List.of()));
    Router router = Router.router(vertx);
    router.route().handler(RequestIds::handle);
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
    router.get("/later-bug").handler(routing -> vertx.timer(1).onComplete(fired ->
        routing.fail(new IllegalStateException("a bug in a callback"))));
    router.route().failureHandler(errors::handle);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    logged.stop();
    errorLogger().detachAppender(logged);
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ch.qos.logback.classic.Logger errorLogger() {
    return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ErrorResponses.class);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(path, null);
  }

  private HttpResponse<String> get(String path, String requestId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path));
    if (requestId != null) {
      request.header("X-Request-Id", requestId);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The error object, checked for its three fields, the request id being the header's. */
  private static JsonNode error(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.size()).isEqualTo(1);
    assertThat(body.get("error").size()).as(response.body()).isEqualTo(3);
    assertThat(body.get("error").get("request_id").asText())
        .isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
    return body.get("error");
  }

  @Test
  @DisplayName("A bug is logged once at ERROR with the request's id, thrown or failed later in a callback")
  void bugsLogged() throws Exception {
    for (String path : List.of("/bug", "/later-bug")) {
      logged.list.clear();
      HttpResponse<String> bug = get(path);
      assertThat(bug.statusCode()).isEqualTo(500);
      String id = error(bug).get("request_id").asText();
      List<ILoggingEvent> errors = logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
      assertThat(errors).as(path).hasSize(1);
      assertThat(errors.get(0).getMDCPropertyMap()).as(path).containsEntry("request_id", id);
      assertThat(errors.get(0).getThrowableProxy().getClassName()).isEqualTo(IllegalStateException.class.getName());
    }
    logged.list.clear();
    get("/code/INVALID_REQUEST");
    get("/vertx/404");
    assertThat(logged.list).as("refusals are not errors of the server").noneMatch(e -> e.getLevel() == Level.ERROR);
  }

  @Test
  @DisplayName("A sane incoming X-Request-Id is kept; anything else is replaced by a new id")
  void requestIds() throws Exception {
    assertThat(error(get("/code/SESSION_BUSY", "client-42.a_b")).get("request_id").asText()).isEqualTo("client-42.a_b");
    for (String bad : List.of("has space", "x".repeat(65), "a/b", "<script>", "\"}")) {
      String id = error(get("/code/SESSION_BUSY", bad)).get("request_id").asText();
      assertThat(id).isNotEqualTo(bad).matches(RequestIds.VALID);
    }
    assertThat(error(get("/code/SESSION_BUSY")).get("request_id").asText())
        .isNotEqualTo(error(get("/code/SESSION_BUSY")).get("request_id").asText());
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
