package dev.bubblesandbox.server.web;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.server.metrics.SandboxMetrics;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.nio.file.InvalidPathException;
import java.util.Set;
import java.util.TreeSet;
import net.logstash.logback.argument.StructuredArgument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP errors: {@code {"error": {"code", "message",
 * "request_id"}}} with the status its {@link ErrorCode} carries. Every failure of the server (a
 * 500) is logged once, at ERROR, with the request's id, and answered without internals.
 */
public final class ErrorResponses {

  private static final Logger logger = LoggerFactory.getLogger(ErrorResponses.class);

  /** Seconds a client refused for capacity should wait before retrying. */
  static final String RETRY_AFTER_SECONDS = "5";

  private final SandboxMetrics metrics;

  public ErrorResponses(SandboxMetrics metrics) {
    this.metrics = metrics;
  }

  /** The router's failure handler. */
  public void handle(RoutingContext context) {
    Throwable failure = context.failure();
    ErrorCode code;
    String message;
    int status;
    if (failure instanceof BubbleSandboxException known) {
      code = known.code();
      message = known.clientMessage();
      status = code.httpStatus();
      if (status == 500) {
        // A failure of the server with a name (a setting, an environment sync): still the
        // operator's to read, with what the client was not shown.
        logger.error("request failed: {}", known.getMessage(), kv("code", code.code()), requestLine(context), known);
      }
    } else if (failure instanceof InvalidPathException) {
      // A client's file name Java cannot turn into a path (a JVM whose file-name encoding is not
      // UTF-8 cannot name café.txt): the client's path, refused as such, and the cure said.
      code = ErrorCode.INVALID_PATH;
      message = unnameable();
      status = code.httpStatus();
    } else if (failure instanceof DecodeException) {
      code = ErrorCode.INVALID_JSON;
      message = code.defaultMessage();
      status = code.httpStatus();
    } else if (failure instanceof HttpException || failure == null && context.statusCode() > 0
        || failure != null && context.statusCode() >= 400 && context.statusCode() < 500) {
      // A status set by Vert.x Web itself (body limit, CORS, a malformed form): it stays the answer.
      status = failure instanceof HttpException http ? http.getStatusCode() : context.statusCode();
      code = ErrorCode.ofHttpStatus(status);
      message = code.defaultMessage();
      if (status >= 500) {
        logger.error("request failed with {}", status, requestLine(context), failure);
      }
    } else {
      // Anything else is a bug: Vert.x Web reports a thrown exception as status 500, so the
      // status alone cannot tell it from a deliberate answer. Logged here, and only here.
      logger.error("unexpected failure", requestLine(context), failure);
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
  public static Set<String> rejectionCodes() {
    Set<String> codes = new TreeSet<>();
    for (ErrorCode code : ErrorCode.values()) {
      if (code.isRejection()) {
        codes.add(code.code());
      }
    }
    return codes;
  }

  /** Answers with {@code code}'s status, for the few answers written outside the router's failure path. */
  public static void send(RoutingContext context, ErrorCode code, String message) {
    send(context, code.httpStatus(), code, message);
  }

  private static void send(RoutingContext context, int status, ErrorCode code, String message) {
    JsonObject body = body(code, message);
    String requestId = RequestIds.of(context);
    if (requestId != null) {
      body.getJsonObject("error").put("request_id", requestId);
    }
    context.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  static JsonObject body(ErrorCode code, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", code.code()).put("message", message));
  }

  private static String unnameable() {
    String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
    return encoding.equalsIgnoreCase("UTF-8") ? "The path cannot be a file name on this server."
        : "The path cannot be a file name on this server: it runs with the file-name encoding " + encoding
            + ", not UTF-8 (start it in a UTF-8 locale such as LANG=C.UTF-8).";
  }

  /** The method and path, for the log; the request id comes with every line ({@link RequestIdLogging}). */
  private static StructuredArgument requestLine(RoutingContext context) {
    return kv("request", context.request().method() + " " + context.request().path());
  }
}
