package dev.bubblesandbox.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** One tenant's client of one node: every request carries that tenant's key. */
final class TenantClient {

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final int port;
  private final String key;

  TenantClient(int port, String key) {
    this.port = port;
    this.key = key;
  }

  /** An {@code api_keys} entry for {@code key}. */
  static Map<String, Object> entry(String tenant, String key, Integer maxSessions) throws Exception {
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    return maxSessions == null ? Map.of("tenant", tenant, "key_sha256", digest)
        : Map.of("tenant", tenant, "key_sha256", digest, "max_sessions", maxSessions);
  }

  /** {@code api_keys} as a JSON list, for the environment variable. */
  static String asJson(List<Map<String, Object>> keys) throws Exception {
    return TestServer.JSON.writeValueAsString(keys);
  }

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", method.equals("PUT") ? "text/plain" : "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> multipart(String path, String fileName, String content) throws Exception {
    String body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
        + "\"\r\nContent-Type: text/plain\r\n\r\n" + content + "\r\n--b--\r\n";
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + key).header("Content-Type", "multipart/form-data; boundary=b")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Creates a session ({@code body} as for POST /v1/sessions) and returns its id. */
  String create(String body) throws Exception {
    HttpResponse<String> response = send("POST", "/v1/sessions", body);
    if (response.statusCode() != 201) {
      throw new AssertionError("session not created: " + response.statusCode() + " " + response.body());
    }
    return TestServer.json(response).get("session_id").asText();
  }

  /** The ids of the sessions this tenant lists through this node. */
  List<String> listed() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/sessions", null);
    if (response.statusCode() != 200) {
      throw new AssertionError("listing failed: " + response.statusCode() + " " + response.body());
    }
    List<String> ids = new java.util.ArrayList<>();
    TestServer.json(response).get("sessions").forEach(session -> ids.add(session.get("session_id").asText()));
    return ids;
  }

  JsonNode execute(String session, String script) throws Exception {
    HttpResponse<String> response = send("POST", "/v1/sessions/" + session + "/execute",
        TestServer.JSON.createObjectNode().put("script", script).toString());
    if (response.statusCode() != 200) {
      throw new AssertionError("execute failed: " + response.statusCode() + " " + response.body());
    }
    return TestServer.json(response);
  }

  /** Opens a console with this tenant's key (as a header). */
  ConsoleClient console(String path) {
    return ConsoleClient.connect(http.newWebSocketBuilder().header("Authorization", "Bearer " + key),
        URI.create("ws://127.0.0.1:" + port + path), true);
  }

  /** The status a console upgrade is refused with; 101 when it is accepted. */
  int consoleStatus(String path) {
    try {
      WebSocket socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
          .buildAsync(URI.create("ws://127.0.0.1:" + port + path), new WebSocket.Listener() { })
          .get(10, TimeUnit.SECONDS);
      socket.abort();
      return 101;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
