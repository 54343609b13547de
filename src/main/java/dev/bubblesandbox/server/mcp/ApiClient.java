package dev.bubblesandbox.server.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The tools' way into the sandboxes: the bubble-sandbox HTTP API and its WebSocket console, with
 * the caller's own credentials ({@link ApiTarget}). Going through the API, rather than around it,
 * gives a tool call exactly what an HTTP client gets: the key check, the tenant's scope, the
 * session's lease, cluster forwarding, path rules, limits and metrics.
 *
 * <p>Every call is asynchronous (Java's HTTP client, on its own threads): nothing here waits, so
 * tool handlers may be called on an event loop.
 */
public final class ApiClient {

  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
  /** The console's subprotocol (server.console.ConsoleHandler.SUBPROTOCOL). */
  private static final String CONSOLE_SUBPROTOCOL = "bubble-sandbox";

  private final HttpClient http;
  private final ObjectMapper json;

  public ApiClient(ObjectMapper json) {
    // HTTP/1.1: the server does not take the h2c upgrade.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    this.json = json;
  }

  /** A JSON request ({@code body} null: none); the answer's JSON object, empty for 204. */
  CompletableFuture<Map<String, Object>> json(ApiTarget target, String method, String path, Object body) {
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(write(body));
    HttpRequest.Builder request = request(target, path).method(method, publisher);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(response -> {
          refuseErrors(response);
          return response.statusCode() == 204 || response.body().length == 0 ? Map.of() : read(response.body());
        });
  }

  /** Downloads a file of the session's workspace. */
  CompletableFuture<byte[]> download(ApiTarget target, String sessionId, String path) {
    return http.sendAsync(request(target, filePath(sessionId, path)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
          refuseErrors(response);
          return response.body();
        });
  }

  /** Uploads a file into the session's workspace. */
  CompletableFuture<Void> upload(ApiTarget target, String sessionId, String path, byte[] content) {
    return http.sendAsync(request(target, filePath(sessionId, path))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
        .header("Content-Type", "application/octet-stream").build(),
        HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
          refuseErrors(response);
          return null;
        });
  }

  /** Opens a console: a session's ({@code sessionId} non-null) or a throwaway one of {@code environment}. */
  CompletableFuture<WebSocket> console(ApiTarget target, String sessionId, String environment,
      WebSocket.Listener listener) {
    String path = sessionId != null ? "/v1/sessions/" + segment(sessionId) + "/console"
        : "/v1/console" + (environment == null ? "" : "?environment=" + segment(environment));
    String base = target.resolve(path).toString();
    WebSocket.Builder builder = http.newWebSocketBuilder().subprotocols(CONSOLE_SUBPROTOCOL);
    if (target.authorization() != null) {
      builder.header("Authorization", target.authorization());
    }
    return builder.buildAsync(java.net.URI.create("ws" + base.substring(base.indexOf(':'))), listener);
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

  private static HttpRequest.Builder request(ApiTarget target, String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(path));
    if (target.authorization() != null) {
      request.header("Authorization", target.authorization());
    }
    return request;
  }

  /** A status of 400 and above becomes the API's error (code and message), or the bare status. */
  private void refuseErrors(HttpResponse<byte[]> response) {
    if (response.statusCode() < 400) {
      return;
    }
    String code = "http_" + response.statusCode();
    String message = "The API answered " + response.statusCode() + ".";
    try {
      Object error = read(response.body()).get("error");
      if (error instanceof Map<?, ?> fields) {
        code = String.valueOf(fields.get("code"));
        message = String.valueOf(fields.get("message"));
      }
    } catch (RuntimeException notJson) {
      // the status says enough
    }
    throw new ApiException(response.statusCode(), code, message);
  }
}
