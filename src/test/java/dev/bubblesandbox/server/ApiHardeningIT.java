package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.HttpApiIT.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.server.ConsoleClient.Frame;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile clients: no key, huge or deep requests, message floods, foreign origins. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiHardeningIT {

  private static final String KEY = "test-key-0123456789abcdef";

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("api_key", KEY,
      "websocket_messages_per_second", 10, "cors_allowed_origins", List.of("https://console.example.com")));

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.uri(path));
  }

  @Test
  @DisplayName("A missing or wrong API key gets 401 and no information; /health and /metrics stay open")
  void apiKey() throws Exception {
    HttpResponse<String> missing = send(request("/v1/environments"));
    assertError(missing, 401, "unauthorized");
    assertThat(missing.body()).doesNotContain("bare").doesNotContain(KEY);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertError(send(request("/v1/environments").header("Authorization", "Bearer wrong-key-0123456789abc")),
        401, "unauthorized");
    assertError(send(request("/v1/environments").header("Authorization", KEY)), 401, "unauthorized");
    assertError(send(request("/v1/sessions/x/files/%2e%2e/etc/passwd")), 401, "unauthorized");
    assertThat(send(request("/v1/environments").header("Authorization", "Bearer " + KEY)).statusCode()).isEqualTo(200);
    assertThat(send(request("/health/live")).statusCode()).isEqualTo(200);
    assertThat(send(request("/metrics")).statusCode()).isEqualTo(200);

    URI console = URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/console");
    assertThat(server.http.newWebSocketBuilder().buildAsync(console, new WebSocket.Listener() { })
        .handle((socket, failure) -> failure).join()).isNotNull();
  }

  @Test
  @DisplayName("Deep JSON gets 400, huge headers 431, a huge URL 414; the server stays up")
  void oversizedRequests() throws Exception {
    String deep = "{\"script\": \"1\", \"x\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertError(send(request("/v1/execute").header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString(deep))), 400, "invalid_json");
    assertThat(send(request("/v1/environments").header("Authorization", "Bearer " + KEY)
        .header("X-Padding", "p".repeat(64 * 1024))).statusCode()).isEqualTo(431);
    assertThat(send(request("/v1/environments?q=" + "q".repeat(64 * 1024))
        .header("Authorization", "Bearer " + KEY)).statusCode()).isEqualTo(414);
    assertThat(send(request("/health/live")).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("stdin streamed faster than the message rate limit is slowed down, never dropped: every line arrives in order")
  void messageFlood() throws Exception {
    HttpResponse<String> created = send(request("/v1/sessions").header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    String session = TestServer.json(created).get("session_id").asText();
    WebSocketWithKey client = new WebSocketWithKey(session);
    StringBuilder expected = new StringBuilder();
    try (ConsoleClient console = client.connect()) {
      long sent = System.nanoTime();
      console.send("{\"type\": \"execute\", \"id\": \"cat\", \"script\": "
          + "\"import sys\\nsys.stdout.write(sys.stdin.read())\"}");
      for (int i = 0; i < 60; i++) {
        console.send("{\"type\": \"stdin\", \"data\": \"line " + i + "\\n\"}");
        expected.append("line ").append(i).append('\n');
      }
      console.send("{\"type\": \"stdin\", \"eof\": true}");
      assertThat(send(request("/health/live")).statusCode()).isEqualTo(200);
      List<Frame> frames = console.until("exit", 60);
      long elapsedMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
      assertThat(frames).extracting(Frame::type).doesNotContain("error");
      assertThat(frames.stream().filter(f -> f.type().equals("stdout")).map(f -> f.json().get("data").asText())
          .reduce("", String::concat)).isEqualTo(expected.toString());
      // 62 messages at 10 per second after a burst of 20: the limit held them for about 4.2 s.
      assertThat(elapsedMs).isGreaterThan(3_500);
    }
    assertThat(send(request("/health/ready")).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("The Authorization scheme is matched in any case, with one or more spaces (RFC 7235)")
  void schemeInAnyCase() throws Exception {
    for (String accepted : List.of("bearer " + KEY, "BEARER " + KEY, "bEaReR " + KEY, "Bearer   " + KEY)) {
      assertThat(send(request("/v1/environments").header("Authorization", accepted)).statusCode())
          .as(accepted).isEqualTo(200);
    }
    for (String refused : List.of("Basic " + KEY, "Bearer" + KEY, "Bearer " + KEY + "x", "bearer " + KEY.substring(1),
        "Bearer")) {
      assertError(send(request("/v1/environments").header("Authorization", refused)), 401, "unauthorized");
    }
  }

  @Test
  @DisplayName("A browser's way in: the key as subprotocol bearer.<key> opens the console, the answer names only "
      + "bubble-sandbox; a wrong key gets 401 before the upgrade; the key works on upgrades only")
  void keyAsSubprotocol() throws Exception {
    HttpResponse<String> created = send(request("/v1/sessions").header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    String session = TestServer.json(created).get("session_id").asText();
    String path = "/v1/sessions/" + session + "/console";
    URI console = URI.create("ws://127.0.0.1:" + server.server.port() + path);

    try (ConsoleClient client = ConsoleClient.connect(
        server.http.newWebSocketBuilder().subprotocols("bubble-sandbox", "bearer." + KEY), console, true)) {
      assertThat(client.socket.getSubprotocol()).isEqualTo("bubble-sandbox");
      client.send("{\"type\": \"execute\", \"id\": \"b\", \"script\": \"print('from a browser')\"}");
      assertThat(client.until("exit", 10)).extracting(Frame::type).contains("started", "stdout");
    }

    // Vert.x's client, like a browser, fails a handshake whose answer names no offered subprotocol.
    io.vertx.core.http.WebSocketClient vertxClient = server.server.vertx().createWebSocketClient();
    try {
      io.vertx.core.http.WebSocket socket = vertxClient.connect(new io.vertx.core.http.WebSocketConnectOptions()
              .setHost("127.0.0.1").setPort(server.server.port()).setURI(path).setAllowOriginHeader(false)
              .setSubProtocols(List.of("bubble-sandbox", "bearer." + KEY)))
          .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(socket.subProtocol()).isEqualTo("bubble-sandbox");
      socket.close();
    } finally {
      vertxClient.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    Throwable wrong = server.http.newWebSocketBuilder()
        .subprotocols("bubble-sandbox", "bearer.wrong-key-0123456789abc")
        .buildAsync(console, new WebSocket.Listener() { }).handle((socket, failure) -> failure).join();
    assertThat(wrong).isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) wrong.getCause()).getResponse().statusCode()).isEqualTo(401);

    // What a browser on an allowed page sends, byte for byte, and the whole answer.
    String answer = rawHandshake(path, "bubble-sandbox, bearer." + KEY, "https://console.example.com");
    assertThat(answer).startsWith("HTTP/1.1 101").containsIgnoringCase("sec-websocket-protocol: bubble-sandbox\r\n")
        .doesNotContain(KEY);
    assertThat(rawHandshake(path, "bubble-sandbox, bearer." + KEY, "https://evil.example.net"))
        .startsWith("HTTP/1.1 403").doesNotContain(KEY);
    assertThat(rawHandshake(path, "bubble-sandbox, bearer.wrong-key-0123456789abc", "https://console.example.com"))
        .startsWith("HTTP/1.1 401");

    assertError(send(request("/v1/environments").header("Sec-WebSocket-Protocol", "bearer." + KEY)),
        401, "unauthorized");
  }

  /** Sends a WebSocket upgrade by hand and returns the response head, up to the blank line. */
  private String rawHandshake(String path, String subprotocols, String origin) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.server.port())) {
      socket.setSoTimeout(10_000);
      String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Protocol: " + subprotocols + "\r\nOrigin: " + origin + "\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      java.io.InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (head.indexOf("\r\n\r\n") < 0) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.append((char) b);
      }
      // The body of a refusal, if any, is read too: the key must not be in it either.
      java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
      if (!head.toString().startsWith("HTTP/1.1 101") && length.find()) {
        head.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), java.nio.charset.StandardCharsets.UTF_8));
      }
      return head.toString();
    }
  }

  @Test
  @DisplayName("A WebSocket message over 1 MiB closes that socket unanswered; the server stays up")
  void oversizedWebSocketMessage() throws Exception {
    HttpResponse<String> created = send(request("/v1/sessions").header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    String session = TestServer.json(created).get("session_id").asText();
    // A client on the server's own, long-running Vert.x instance: the first connection of a
    // freshly made instance is now and then closed during its handshake (6 in about 950 under CPU
    // load; none in 300 on a shared instance or with the JDK client, nothing logged by the
    // server). The JDK client cannot be used here: it sends the message as one frame, and what is
    // tested is a message of frames each within the frame limit.
    io.vertx.core.http.WebSocketClient client = server.server.vertx().createWebSocketClient();
    try {
      java.util.concurrent.CompletableFuture<Short> closed = new java.util.concurrent.CompletableFuture<>();
      java.util.List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
      io.vertx.core.http.WebSocket socket = client.connect(new io.vertx.core.http.WebSocketConnectOptions()
              .setHost("127.0.0.1").setPort(server.server.port()).setURI("/v1/sessions/" + session + "/console")
              .setAllowOriginHeader(false).addHeader("Authorization", "Bearer " + KEY))
          .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
      socket.textMessageHandler(answers::add);
      socket.closeHandler(done -> closed.complete(socket.closeStatusCode()));
      socket.writeTextMessage("{\"type\": \"stdin\", \"data\": \"" + "x".repeat(2 << 20) + "\"}");
      assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNotEqualTo((short) 1000);
      assertThat(answers).isEmpty();
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(send(request("/health/live")).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("A console from a foreign browser origin is refused; CORS answers only allowed origins")
  void origins() throws Exception {
    HttpResponse<String> created = send(request("/v1/sessions").header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    String session = TestServer.json(created).get("session_id").asText();
    URI console = URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/sessions/" + session + "/console");
    Throwable refused = server.http.newWebSocketBuilder().header("Authorization", "Bearer " + KEY)
        .header("Origin", "https://evil.example.net")
        .buildAsync(console, new WebSocket.Listener() { }).handle((socket, failure) -> failure).join();
    assertThat(refused).isInstanceOf(CompletionException.class);
    WebSocket allowed = server.http.newWebSocketBuilder().header("Authorization", "Bearer " + KEY)
        .header("Origin", "https://console.example.com")
        .buildAsync(console, new WebSocket.Listener() { }).join();
    allowed.abort();

    HttpResponse<String> foreign = send(request("/v1/environments").header("Authorization", "Bearer " + KEY)
        .header("Origin", "https://evil.example.net"));
    assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertError(foreign, 403, "origin_not_allowed");
    HttpResponse<String> friendly = send(request("/v1/environments").header("Authorization", "Bearer " + KEY)
        .header("Origin", "https://console.example.com"));
    assertThat(friendly.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
  }

  /** A console client that sends the API key. */
  private final class WebSocketWithKey {
    private final String session;

    WebSocketWithKey(String session) {
      this.session = session;
    }

    ConsoleClient connect() {
      return ConsoleClient.connect(server.http.newWebSocketBuilder().header("Authorization", "Bearer " + KEY),
          URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/sessions/" + session + "/console"), true);
    }
  }
}
