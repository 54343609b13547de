package dev.bubblesandbox.server;

import dev.bubblesandbox.BubbleSandboxException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP errors: {@code {"error": {"code", "message"}}} with
 * the status of the code. Unexpected failures are logged and answered without internals.
 */
final class ErrorResponses {

  private static final Logger logger = LoggerFactory.getLogger(ErrorResponses.class);

  /** Seconds a client refused for capacity should wait before retrying. */
  static final String RETRY_AFTER_SECONDS = "5";

  private static final Map<String, Integer> STATUS_BY_CODE = Map.ofEntries(
      Map.entry("invalid_request", 400),
      Map.entry("invalid_json", 400),
      Map.entry("invalid_path", 400),
      Map.entry("invalid_environment_name", 400),
      Map.entry("unauthorized", 401),
      Map.entry("persistence_disabled", 403),
      Map.entry("origin_not_allowed", 403),
      Map.entry("unknown_environment", 404),
      Map.entry("session_not_found", 404),
      Map.entry("file_not_found", 404),
      Map.entry("not_found", 404),
      Map.entry("method_not_allowed", 405),
      Map.entry("session_busy", 409),
      Map.entry("session_conflict", 409),
      Map.entry("payload_too_large", 413),
      Map.entry("unsupported_extension", 415),
      Map.entry("capacity_exhausted", 503),
      Map.entry("environment_not_ready", 503),
      Map.entry("sandbox_unavailable", 503));

  private static final Map<Integer, String> CODE_BY_STATUS = Map.of(
      400, "invalid_request",
      403, "origin_not_allowed",
      404, "not_found",
      414, "uri_too_long",
      405, "method_not_allowed",
      413, "payload_too_large",
      415, "unsupported_media_type",
      431, "headers_too_large");

  private final SandboxMetrics metrics;

  ErrorResponses(SandboxMetrics metrics) {
    this.metrics = metrics;
  }

  /** The router's failure handler. */
  void handle(RoutingContext context) {
    Throwable failure = context.failure();
    String code;
    String message;
    int status;
    if (failure instanceof BubbleSandboxException known) {
      code = known.code();
      message = known.getMessage();
      status = STATUS_BY_CODE.getOrDefault(code, 500);
    } else if (failure instanceof DecodeException) {
      code = "invalid_json";
      message = "The request body is not valid JSON.";
      status = 400;
    } else if (failure instanceof HttpException || context.statusCode() > 0) {
      // A status set by Vert.x Web itself: body limit, CORS, unknown route.
      status = failure instanceof HttpException http ? http.getStatusCode() : context.statusCode();
      code = CODE_BY_STATUS.getOrDefault(status, status >= 500 ? "internal_error" : "invalid_request");
      message = switch (status) {
        case 403 -> "This origin is not allowed.";
        case 404 -> "No such resource.";
        case 405 -> "Method not allowed on this resource.";
        case 413 -> "The request body is too large.";
        default -> "The request was refused.";
      };
    } else {
      logger.error("unexpected failure on {} {}", context.request().method(), context.request().path(), failure);
      code = "internal_error";
      message = "An internal error occurred.";
      status = 500;
    }
    if (countsAsRejection(status)) {
      metrics.rejected(code);
    }
    if (context.response().headWritten()) {
      context.response().reset();
      return;
    }
    if (status == 503) {
      context.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    send(context, status, code, message);
  }

  /** A refusal (the client's request, or the server full or not ready), not a server failure. */
  private static boolean countsAsRejection(int status) {
    return status < 500 || status == 503;
  }

  /** The codes a refusal can carry, for the rejection counters to exist from start-up. */
  static Set<String> rejectionCodes() {
    Set<String> codes = new TreeSet<>(CODE_BY_STATUS.values());
    STATUS_BY_CODE.forEach((code, status) -> {
      if (countsAsRejection(status)) {
        codes.add(code);
      }
    });
    return codes;
  }

  static void send(RoutingContext context, int status, String code, String message) {
    context.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body(code, message).encode());
  }

  static JsonObject body(String code, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
  }
}
