package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.HttpApiIT.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.cluster.HopTokens;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server with no key (the default, on loopback) attacked as a web page would: a cross-site
 * simple request, a cross-origin request with a body, and DNS rebinding (a page whose own host
 * name resolves to 127.0.0.1), over HTTP and WebSocket.
 */
class KeylessServerIT {

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of());

  private HttpResponse<String> post(String path, String contentType, String body, String origin) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (origin != null) {
      request.header("Origin", origin);
    }
    return server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private RawHttpConnection.Response raw(String method, String path, Map<String, String> headers) throws Exception {
    try (RawHttpConnection connection = new RawHttpConnection(server.server.port(), Duration.ofSeconds(10))) {
      connection.writeHead(method, path, headers);
      return connection.readResponse();
    }
  }

  @Test
  @DisplayName("A text/plain or form POST that would run code gets 415 and runs nothing; the same as application/json gets 200")
  void jsonOnlyAsJson() throws Exception {
    String script = "{\"script\": \"open('ran', 'w').write('x'); print('ran')\"}";
    assertError(post("/v1/execute", "text/plain", script, null), 415, "unsupported_media_type");
    assertError(post("/v1/execute", null, script, null), 415, "unsupported_media_type");
    assertError(post("/v1/sessions", "application/x-www-form-urlencoded", "{\"session_id\": \"planted\"}", null),
        415, "unsupported_media_type");
    assertThat(server.get("/v1/sessions").body()).doesNotContain("planted");

    HttpResponse<String> ran = post("/v1/execute", "application/json; charset=utf-8", script, null);
    assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
    assertThat(TestServer.json(ran).get("stdout").asText()).isEqualTo("ran\n");
  }

  @Test
  @DisplayName("A request with a body from another origin gets 403, even as JSON; the server's own origin may")
  void crossOriginBodies() throws Exception {
    assertError(post("/v1/execute", "application/json", "{\"script\": \"print(1)\"}", "https://evil.example"),
        403, "origin_not_allowed");
    String session = server.createSession("{}");
    try (RawHttpConnection connection = new RawHttpConnection(server.server.port(), Duration.ofSeconds(10))) {
      byte[] body = ("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nx\r\n--b--\r\n").getBytes();
      connection.writeHead("POST", "/v1/sessions/" + session + "/files", Map.of("Origin", "http://evil.example",
          "Content-Type", "multipart/form-data; boundary=b", "Content-Length", Integer.toString(body.length)));
      connection.writeBytes(body);
      assertThat(connection.readResponse().status()).isEqualTo(403);
    }
    assertThat(server.get("/v1/sessions/" + session + "/files").body()).doesNotContain("a.txt");
    int port = server.server.port();
    HttpResponse<String> sameOrigin = post("/v1/execute", "application/json", "{\"script\": \"print(1)\"}", null);
    assertThat(sameOrigin.statusCode()).isEqualTo(200);
    try (RawHttpConnection connection = new RawHttpConnection(port, Duration.ofSeconds(10))) {
      byte[] body = "{\"script\": \"print(2)\"}".getBytes();
      connection.writeHead("POST", "/v1/execute", Map.of("Host", "127.0.0.1:" + port, "Origin", "http://127.0.0.1:" + port,
          "Content-Type", "application/json", "Content-Length", Integer.toString(body.length)));
      connection.writeBytes(body);
      assertThat(connection.readResponse().status()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("DNS rebinding: Host: evil.example gets 421 on the API, the page and a WebSocket console; health stays open")
  void dnsRebinding() throws Exception {
    String session = server.createSession("{}");
    for (String path : new String[] {"/v1/sessions", "/v1/sessions/" + session, "/v1/environments", "/", "/metrics"}) {
      RawHttpConnection.Response refused = raw("GET", path, Map.of("Host", "evil.example"));
      assertThat(refused.status()).as(path).isEqualTo(421);
      assertThat(refused.body()).as(path).contains("host_not_allowed").doesNotContain(session);
    }
    Map<String, String> upgrade = Map.of("Host", "evil.example:80", "Origin", "http://evil.example",
        "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    assertThat(raw("GET", "/v1/sessions/" + session + "/console", upgrade).status()).isEqualTo(421);
    assertThat(raw("GET", "/v1/console", upgrade).status()).isEqualTo(421);

    assertThat(raw("GET", "/health/live", Map.of("Host", "evil.example")).status()).isEqualTo(200);
    assertThat(raw("GET", "/v1/sessions", Map.of("Host", "localhost:" + server.server.port())).status()).isEqualTo(200);
    assertThat(raw("GET", "/v1/sessions", Map.of("Host", "[::1]:" + server.server.port())).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("A forged hop header from outside gets 401: a single node takes no forwarded requests")
  void forgedHop() throws Exception {
    HttpResponse<String> forged = server.http.send(HttpRequest.newBuilder(server.uri("/v1/sessions"))
        .header(HopTokens.HEADER, "node-1").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertError(forged, 401, "unauthorized");
  }
}
