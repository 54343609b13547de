package dev.bubblesandbox.server;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP errors: {@code {"error": {"code", "message"}}} with
 * the status its {@link ErrorCode} carries. Unexpected failures are logged and answered without
 * internals.
 */
final class ErrorResponses {

  private static final Logger logger = LoggerFactory.getLogger(ErrorResponses.class);

  /** Seconds a client refused for capacity should wait before retrying. */
  static final String RETRY_AFTER_SECONDS = "5";

  private final SandboxMetrics metrics;

  ErrorResponses(SandboxMetrics metrics) {
    this.metrics = metrics;
  }

  /** The router's failure handler. */
  void handle(RoutingContext context) {
    Throwable failure = context.failure();
    ErrorCode code;
    String message;
    int status;
    if (failure instanceof BubbleSandboxException known) {
      code = known.code();
      message = known.clientMessage();
      status = code.httpStatus();
    } else if (failure instanceof DecodeException) {
      code = ErrorCode.INVALID_JSON;
      message = code.defaultMessage();
      status = code.httpStatus();
    } else if (failure instanceof HttpException || context.statusCode() > 0) {
      // A status set by Vert.x Web itself (body limit, CORS, unknown route): it stays the answer.
      status = failure instanceof HttpException http ? http.getStatusCode() : context.statusCode();
      code = ErrorCode.ofHttpStatus(status);
      message = code.defaultMessage();
    } else {
      logger.error("unexpected failure on {} {}", context.request().method(), context.request().path(), failure);
      metrics.internalError();
      code = ErrorCode.INTERNAL_ERROR;
      message = code.defaultMessage();
      status = code.httpStatus();
    }
    if (code.isRejection()) {
      metrics.rejected(code.code());
    }
    if (context.response().headWritten()) {
      context.response().reset();
      return;
    }
    if (status == 503 || status == 429) {
      context.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    send(context, status, code, message);
  }

  /** The codes a refusal can carry, for the rejection counters to exist from start-up. */
  static Set<String> rejectionCodes() {
    Set<String> codes = new TreeSet<>();
    for (ErrorCode code : ErrorCode.values()) {
      if (code.isRejection()) {
        codes.add(code.code());
      }
    }
    return codes;
  }

  /** Answers with {@code code}'s status, for the few answers written outside the router's failure path. */
  static void send(RoutingContext context, ErrorCode code, String message) {
    send(context, code.httpStatus(), code, message);
  }

  private static void send(RoutingContext context, int status, ErrorCode code, String message) {
    context.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body(code, message).encode());
  }

  static JsonObject body(ErrorCode code, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", code.code()).put("message", message));
  }
}
