package dev.bubblesandbox.cli.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * MCP's stdio transport, bridged to a server's Streamable HTTP endpoint: each line read on stdin
 * (one JSON-RPC message) is POSTed to {@code /mcp}, and what the server answers (a JSON body, or
 * each event of an SSE stream) is written to stdout, one message a line. The server holds the MCP
 * session, the tools, progress and cancellation; the bridge only moves messages, so stdio and HTTP
 * clients get the same server.
 *
 * <p>Messages after {@code initialize} are sent concurrently: a {@code notifications/cancelled}
 * must reach the server while the call it cancels still runs. stdout carries nothing else.
 */
final class StdioBridge {

  private static final String SESSION_HEADER = "Mcp-Session-Id";

  private final URI endpoint;
  private final String authorization;
  private final PrintStream out;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final List<CompletableFuture<?>> inFlight = new CopyOnWriteArrayList<>();
  private volatile String sessionId;

  /**
   * @param endpoint the server's {@code /mcp}
   * @param authorization the {@code Authorization} header to send, or null
   * @param out where messages to the client go (the process's real stdout)
   */
  StdioBridge(URI endpoint, String authorization, PrintStream out) {
    this.endpoint = endpoint;
    this.authorization = authorization;
    this.out = out;
  }

  /** Bridges until stdin ends, then ends the MCP session. */
  void run(InputStream in) throws IOException, InterruptedException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode message;
      try {
        message = json.readTree(line);
      } catch (IOException e) {
        write(error(null, -32700, "Parse error: not JSON."));
        continue;
      }
      CompletableFuture<Void> sent = send(line, message);
      if (sessionId == null) {
        // initialize: its answer names the session every later message carries.
        sent.join();
      } else {
        inFlight.add(sent);
        sent.whenComplete((done, failure) -> inFlight.remove(sent));
      }
    }
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
    if (sessionId != null) {
      http.send(request().DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }
  }

  private CompletableFuture<Void> send(String line, JsonNode message) {
    JsonNode id = message.get("id");
    boolean isRequest = id != null && message.has("method");
    HttpRequest post = request()
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(line, StandardCharsets.UTF_8)).build();
    return http.sendAsync(post, HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
      response.headers().firstValue(SESSION_HEADER).ifPresent(session -> sessionId = session);
      Optional<String> type = response.headers().firstValue("Content-Type");
      if (response.statusCode() >= 400) {
        String body = String.join("\n", response.body().toList());
        if (isRequest) {
          write(error(id, -32603, response.statusCode() == 401 ? "The server refused the API key (401)."
              : "The server answered " + response.statusCode() + ": " + reason(body)));
        }
        return;
      }
      if (type.isPresent() && type.get().startsWith("text/event-stream")) {
        events(response.body());
      } else {
        String body = String.join("", response.body().toList()).strip();
        if (!body.isEmpty()) {
          write(body);
        }
      }
    }).exceptionally(failure -> {
      if (isRequest) {
        write(error(id, -32603, "The server could not be reached: " + failure.getMessage()));
      }
      return null;
    });
  }

  /** Each SSE event's data, one message a line, as the events come. */
  private void events(Stream<String> lines) {
    StringBuilder data = new StringBuilder();
    lines.forEach(line -> {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          write(data.toString());
          data.setLength(0);
        }
      } else if (line.startsWith("data:")) {
        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
      }
    });
    if (data.length() > 0) {
      write(data.toString());
    }
  }

  private HttpRequest.Builder request() {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    String session = sessionId;
    if (session != null) {
      request.header(SESSION_HEADER, session);
    }
    return request;
  }

  private String reason(String body) {
    try {
      JsonNode error = json.readTree(body).path("error");
      return error.path("message").asText(body);
    } catch (IOException notJson) {
      return body;
    }
  }

  private String error(JsonNode id, int code, String message) {
    ObjectNode error = json.createObjectNode();
    error.put("jsonrpc", "2.0");
    error.set("id", id);
    error.putObject("error").put("code", code).put("message", message);
    return error.toString();
  }

  private void write(String message) {
    synchronized (out) {
      out.print(message);
      out.print('\n');
      out.flush();
    }
  }
}
