package dev.bubblesandbox.server.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The tools' way into the sandboxes: the bubble-sandbox HTTP API and its WebSocket console, with
 * the caller's own credentials ({@link ApiTarget}). Going through the API, rather than around it,
 * gives a tool call exactly what an HTTP client gets: the key check, the tenant's scope, the
 * session's lease, cluster forwarding, path rules, limits and metrics.
 *
 * <p>Vert.x's own clients, so nothing here waits: a call made on an event loop is sent and
 * answered on that event loop, without a thread hop on the way to the API and back.
 */
public final class ApiClient {

  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
  /** The console's subprotocol (server.console.ConsoleHandler.SUBPROTOCOL). */
  private static final String CONSOLE_SUBPROTOCOL = "bubble-sandbox";

  private final HttpClient http;
  private final WebSocketClient sockets;
  private final ObjectMapper json;

  /** What the API answered: its status and body. */
  private record Answer(int status, Buffer body) {}

  public ApiClient(Vertx vertx, ObjectMapper json) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000).setKeepAlive(true)
        .setProtocolVersion(HttpVersion.HTTP_1_1), new PoolOptions().setHttp1MaxSize(64));
    // A console frame may carry a kernel's MIME bundle: up to max_inline_result_bytes, base64.
    this.sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(10_000)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(64 << 20));
    this.json = json;
  }

  /** A JSON request ({@code body} null: none); the answer's JSON object, empty for 204. */
  CompletableFuture<Map<String, Object>> json(ApiTarget target, String method, String path, Object body) {
    return send(target, HttpMethod.valueOf(method), path, body == null ? null : Buffer.buffer(write(body)),
        "application/json").thenApply(answer -> answer.status() == 204 || answer.body().length() == 0 ? Map.of()
            : read(answer.body().getBytes()));
  }

  /** Downloads a file of the session's workspace. */
  CompletableFuture<byte[]> download(ApiTarget target, String sessionId, String path) {
    return send(target, HttpMethod.GET, filePath(sessionId, path), null, null)
        .thenApply(answer -> answer.body().getBytes());
  }

  /** Uploads a file into the session's workspace. */
  CompletableFuture<Void> upload(ApiTarget target, String sessionId, String path, byte[] content) {
    return send(target, HttpMethod.PUT, filePath(sessionId, path), Buffer.buffer(content), "application/octet-stream")
        .thenApply(answer -> null);
  }

  /** Opens a console: a session's ({@code sessionId} non-null) or a throwaway one of {@code environment}. */
  CompletableFuture<WebSocket> console(ApiTarget target, String sessionId, String environment) {
    String path = sessionId != null ? "/v1/sessions/" + segment(sessionId) + "/console"
        : "/v1/console" + (environment == null ? "" : "?environment=" + segment(environment));
    String address = target.resolve(path).toString();
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setAbsoluteURI("ws" + address.substring(address.indexOf(':')))
        .setSubProtocols(List.of(CONSOLE_SUBPROTOCOL))
        .setAllowOriginHeader(false);
    if (target.authorization() != null) {
      options.addHeader("Authorization", target.authorization());
    }
    return sockets.connect(options).toCompletionStage().toCompletableFuture();
  }

  private CompletableFuture<Answer> send(ApiTarget target, HttpMethod method, String path, Buffer body,
      String contentType) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(target.resolve(path).toString());
    if (target.authorization() != null) {
      options.addHeader("Authorization", target.authorization());
    }
    if (body != null) {
      options.addHeader("Content-Type", contentType);
    }
    Future<Answer> answer = http.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(bytes -> new Answer(response.statusCode(), bytes)));
    return answer.toCompletionStage().toCompletableFuture().thenApply(this::refuseErrors);
  }

  Map<String, Object> read(byte[] body) {
    try {
      return json.readValue(body, OBJECT);
    } catch (IOException e) {
      throw new UncheckedIOException("the API answered something that is not a JSON object", e);
    }
  }

  Map<String, Object> read(String body) {
    return read(body.getBytes(StandardCharsets.UTF_8));
  }

  byte[] write(Object value) {
    try {
      return json.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String segment(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code path} as the files route takes it: each name encoded, the slashes kept. */
  static String filePath(String sessionId, String path) {
    StringBuilder encoded = new StringBuilder("/v1/sessions/").append(segment(sessionId)).append("/files");
    for (String name : path.split("/", -1)) {
      encoded.append('/').append(segment(name));
    }
    return encoded.toString();
  }

  /** A status of 400 and above becomes the API's error (code and message), or the bare status. */
  private Answer refuseErrors(Answer answer) {
    if (answer.status() < 400) {
      return answer;
    }
    String code = "http_" + answer.status();
    String message = "The API answered " + answer.status() + ".";
    try {
      Object error = read(answer.body().getBytes()).get("error");
      if (error instanceof Map<?, ?> fields) {
        code = String.valueOf(fields.get("code"));
        message = String.valueOf(fields.get("message"));
      }
    } catch (RuntimeException notJson) {
      // the status says enough
    }
    throw new ApiException(answer.status(), code, message);
  }
}
