package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAPI document against the live server: the same routes and methods on both sides, and
 * a real request for every operation whose response status and JSON fields must be documented,
 * with every documented success status shown by one of them.
 */
class OpenApiParityIT {

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of());

  /** The console page's own routes: static files, not API. */
  private static final Set<String> PAGE_ROUTES = Set.of("GET /", "GET /console/{path}", "GET /favicon.ico");

  private static JsonObject document() throws Exception {
    HttpResponse<String> served = server.get("/v1/openapi.json");
    assertThat(served.statusCode()).isEqualTo(200);
    return new JsonObject(served.body());
  }

  @Test
  @DisplayName("Every route and method of the router is in the document, and every documented one is routed")
  void routes() throws Exception {
    Set<String> routed = new TreeSet<>();
    for (Route route : server.server.routes()) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue;   // handlers for every request (body drain, guards, errors), not routes
      }
      String path = route.getPath().replaceAll(":(\\w+)", "{$1}") + (route.isExactPath() ? "" : "{path}");
      for (HttpMethod method : route.methods()) {
        if (!method.equals(HttpMethod.HEAD)) {
          routed.add(method.name() + " " + path);
        }
      }
    }
    routed.removeAll(PAGE_ROUTES);
    assertThat(routed).isEqualTo(new OpenApiChecker(document()).operations());
  }

  @Test
  @DisplayName("The JSON and YAML forms are the same document, cached with an ETag")
  void servedForms() throws Exception {
    HttpResponse<String> yaml = server.get("/v1/openapi.yaml");
    assertThat(yaml.statusCode()).isEqualTo(200);
    assertThat(yaml.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/yaml");
    Object parsed = new org.yaml.snakeyaml.Yaml().load(yaml.body());
    assertThat(new JsonObject(io.vertx.core.json.Json.encode(parsed))).isEqualTo(document());
    String etag = server.get("/v1/openapi.json").headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = server.http.send(HttpRequest.newBuilder(server.uri("/v1/openapi.json"))
        .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(304);
  }

  @Test
  @DisplayName("Real responses of every operation have documented statuses and exactly the documented fields")
  void responses() throws Exception {
    OpenApiChecker checker = new OpenApiChecker(document());
    Exchange call = new Exchange(checker);

    call.json("GET", "/v1/info", "/v1/info", null);
    call.json("GET", "/v1/environments", "/v1/environments", null);
    call.json("GET", "/v1/openapi.json", "/v1/openapi.json", null);
    call.json("GET", "/v1/openapi.yaml", "/v1/openapi.yaml", null);
    call.json("POST", "/v1/execute", "/v1/execute", "{\"script\": \"print(1)\"}");
    call.json("POST", "/v1/execute", "/v1/execute", "{\"shell\": \"exit 3\", \"stdin\": \"x\", \"timeout_seconds\": 5}");
    call.json("POST", "/v1/execute", "/v1/execute", "{}");
    call.json("POST", "/v1/execute", "/v1/execute", "{\"environment\": \"nope\", \"script\": \"1\"}");
    call.json("POST", "/v1/execute", "/v1/execute", "{not json");

    String id = "parity-session";
    String sessionPath = "/v1/sessions/" + id;
    call.json("POST", "/v1/sessions", "/v1/sessions", "{\"session_id\": \"" + id + "\", \"environment\": \"bare\"}");
    call.json("POST", "/v1/sessions", "/v1/sessions", "{\"session_id\": \"" + id + "\", \"environment\": \"bare\"}");
    call.json("POST", "/v1/sessions", "/v1/sessions", "{\"session_id\": \"" + id + "\", \"environment\": \"pandas-only\"}");
    call.json("GET", "/v1/sessions", "/v1/sessions", null);
    call.json("GET", "/v1/sessions/{id}", sessionPath, null);
    call.json("GET", "/v1/sessions/{id}", "/v1/sessions/no-such-session", null);
    call.json("POST", "/v1/sessions/{id}/execute", sessionPath + "/execute",
        "{\"script\": \"open('made.txt', 'w').write('x')\"}");
    call.bytes("PUT", "/v1/sessions/{id}/files/{path}", sessionPath + "/files/data.csv", "a,b\n1,2\n", null);
    call.bytes("PUT", "/v1/sessions/{id}/files/{path}", sessionPath + "/files/data.csv", "a,b\n3,4\n", null);
    call.bytes("PUT", "/v1/sessions/{id}/files/{path}", sessionPath + "/files/tool.exe", "MZ", null);
    String boundary = "parity-boundary";
    call.bytes("POST", "/v1/sessions/{id}/files", sessionPath + "/files",
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"more.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\nmore\r\n--" + boundary + "--\r\n",
        "multipart/form-data; boundary=" + boundary);
    call.json("GET", "/v1/sessions/{id}/files", sessionPath + "/files", null);
    call.json("GET", "/v1/sessions/{id}/files/{path}", sessionPath + "/files/made.txt", null);
    call.json("GET", "/v1/sessions/{id}/files/{path}", sessionPath + "/files/missing.txt", null);
    call.json("DELETE", "/v1/sessions/{id}/files/{path}", sessionPath + "/files/made.txt", null);
    call.json("GET", "/v1/sessions/{id}/console", sessionPath + "/console", null);
    call.webSocket("/v1/sessions/{id}/console", sessionPath + "/console");
    call.webSocket("/v1/console", "/v1/console?environment=bare");
    call.webSocket("/v1/console", "/v1/console?environment=nope");
    call.json("POST", "/v1/sessions/{id}/interrupt", sessionPath + "/interrupt", null);
    call.json("POST", "/v1/sessions/{id}/restart", sessionPath + "/restart", null);
    call.json("POST", "/v1/sessions/{id}/interrupt", "/v1/sessions/no-such-session/interrupt", null);
    String kernelPath = "/v1/sessions/parity-kernel";
    call.json("POST", "/v1/sessions", "/v1/sessions", "{\"session_id\": \"parity-kernel\", \"kernel\": true}");
    call.json("POST", "/v1/sessions/{id}/execute", kernelPath + "/execute", "{\"script\": \"x = 41\\nx + 1\"}");
    call.json("POST", "/v1/sessions/{id}/execute", kernelPath + "/execute", "{\"script\": \"1 / 0\"}");
    call.json("POST", "/v1/sessions/{id}/interrupt", kernelPath + "/interrupt", null);
    call.json("POST", "/v1/sessions/{id}/restart", kernelPath + "/restart", null);
    call.json("DELETE", "/v1/sessions/{id}", kernelPath, null);
    call.json("DELETE", "/v1/sessions/{id}", sessionPath + "?clear_data=maybe", null);
    call.json("DELETE", "/v1/sessions/{id}", sessionPath, null);
    call.json("DELETE", "/v1/sessions/{id}", sessionPath, null);
    call.json("GET", "/health/live", "/health/live", null);
    call.json("GET", "/health/ready", "/health/ready", null);
    call.json("GET", "/metrics", "/metrics", null);

    String mcpSession = call.mcp("POST", null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"parity","version":"1"}}}""").headers()
        .firstValue("Mcp-Session-Id").orElseThrow();
    call.mcp("POST", mcpSession, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    call.mcp("POST", mcpSession, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    call.mcp("POST", mcpSession, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
        + "\"run_shell\",\"arguments\":{\"command\":\"echo hi\"},\"_meta\":{\"progressToken\":1}}}");
    call.mcp("POST", mcpSession, "{not json");
    call.mcp("POST", null, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}");
    call.mcp("POST", "no-such-mcp-session", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}");
    call.mcp("GET", mcpSession, null);
    call.mcp("DELETE", mcpSession, null);
    call.mcp("DELETE", mcpSession, null);

    try (TestServer keyed = TestServer.start(Map.of("api_key", "parity-key-0123456789abcdef"))) {
      HttpResponse<String> refused = keyed.get("/v1/sessions");
      checker.check("GET", "/v1/sessions", refused.statusCode(),
          refused.headers().firstValue("Content-Type").orElse(null), refused.body());
      assertThat(refused.statusCode()).isEqualTo(401);
    }

    assertThat(checker.unseenSuccesses()).as("documented success statuses no request showed").isEmpty();
  }

  /** Sends real requests and hands each response to the checker. */
  private record Exchange(OpenApiChecker checker) {

    /** An MCP message to /mcp; the GET stream stays open, so only its head is read. */
    HttpResponse<String> mcp(String method, String session, String body) throws Exception {
      java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(server.uri("/mcp"))
          .header("Accept", "application/json, text/event-stream")
          .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
              : java.net.http.HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      if (session != null) {
        request.header("Mcp-Session-Id", session);
      }
      HttpResponse<java.io.InputStream> response = server.http.send(request.build(),
          HttpResponse.BodyHandlers.ofInputStream());
      String type = response.headers().firstValue("Content-Type").orElse(null);
      String text;
      try (java.io.InputStream in = response.body()) {
        text = method.equals("GET") ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      checker.check(method, "/mcp", response.statusCode(), type, text);
      return new HttpResponse<>() {
        public int statusCode() { return response.statusCode(); }
        public java.net.http.HttpRequest request() { return response.request(); }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return response.headers(); }
        public String body() { return text; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return response.sslSession(); }
        public java.net.URI uri() { return response.uri(); }
        public java.net.http.HttpClient.Version version() { return response.version(); }
      };
    }

    void json(String method, String template, String path, String body) throws Exception {
      HttpResponse<String> response = server.send(method, path, body);
      checker.check(method, template, response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null), response.body());
    }

    void bytes(String method, String template, String path, String body, String contentType) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60))
          .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      if (contentType != null) {
        request.header("Content-Type", contentType);
      }
      HttpResponse<String> response = server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      checker.check(method, template, response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null), response.body());
    }

    /** A WebSocket upgrade: 101 when it opens, else the refusal's status and body. */
    void webSocket(String template, String path) throws Exception {
      URI uri = URI.create(server.uri(path).toString().replaceFirst("^http", "ws"));
      Object outcome = server.http.newWebSocketBuilder().subprotocols("bubble-sandbox")
          .buildAsync(uri, new WebSocket.Listener() { })
          .handle((socket, failure) -> socket != null ? socket : failure)
          .get(60, TimeUnit.SECONDS);
      if (outcome instanceof WebSocket socket) {
        checker.check("GET", template, 101, null, "");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        return;
      }
      Throwable failure = outcome instanceof CompletionException wrapped ? wrapped.getCause() : (Throwable) outcome;
      if (!(failure instanceof WebSocketHandshakeException refused)) {
        throw new AssertionError("the console at " + path + " failed: " + failure, failure);
      }
      HttpResponse<?> response = refused.getResponse();
      Object responseBody = response.body();
      checker.check("GET", template, response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null),
          responseBody == null ? "" : responseBody.toString());
    }
  }
}
