package dev.bubblesandbox.server.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerTransport;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import reactor.core.publisher.Mono;

/**
 * The SDK's per-stream transport on one HTTP response: a POSTed request's answer, or the GET
 * notification stream. A request answered with nothing before its response gets that response
 * as {@code application/json}; anything sent first (progress) turns the answer into an SSE
 * stream ({@code text/event-stream}) that the response ends. Streamable HTTP allows both; JSON
 * saves the stream's framing on the common, quick call.
 *
 * <p>The SDK sends from whatever thread its Mono runs on; every write hops to the request's
 * Vert.x context, so the response is touched by one thread only and no caller waits.
 */
final class ResponseStream implements McpStreamableServerTransport {

  private final HttpServerResponse response;
  private final Context context;
  private final McpJsonMapper mapper;
  /** The GET stream: always SSE, and never ended by a response. */
  private final boolean listening;
  /** Touched on {@link #context} only. */
  private boolean sse;
  private boolean ended;
  /** Run when the client goes away (the GET stream's end). */
  private volatile Runnable onClose = () -> { };

  ResponseStream(HttpServerResponse response, Context context, McpJsonMapper mapper, boolean listening) {
    this.response = response;
    this.context = context;
    this.mapper = mapper;
    this.listening = listening;
    response.closeHandler(ignored -> {
      ended = true;
      onClose.run();
    });
    if (listening) {
      startSse();
      response.writeHead();
    }
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
    return sendMessage(message, null);
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message, String messageId) {
    String json;
    try {
      json = mapper.writeValueAsString(message);
    } catch (IOException e) {
      return Mono.error(new UncheckedIOException(e));
    }
    return onContext(() -> write(message, json, messageId));
  }

  private void write(McpSchema.JSONRPCMessage message, String json, String messageId) {
    if (ended || response.ended() || response.closed()) {
      return;
    }
    if (!listening && !sse && message instanceof McpSchema.JSONRPCResponse) {
      ended = true;
      response.putHeader("Content-Type", "application/json").end(json);
      return;
    }
    if (!sse) {
      startSse();
    }
    StringBuilder event = new StringBuilder();
    if (messageId != null) {
      event.append("id: ").append(messageId).append('\n');
    }
    event.append("event: message\ndata: ").append(json).append("\n\n");
    response.write(event.toString());
  }

  private void startSse() {
    sse = true;
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache");
  }

  /** Runs {@code action} when the client closes the connection. */
  void onClose(Runnable action) {
    this.onClose = action;
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return mapper.convertValue(data, typeRef);
  }

  @Override
  public Mono<Void> closeGracefully() {
    return onContext(this::end);
  }

  @Override
  public void close() {
    context.runOnContext(ignored -> end());
  }

  private void end() {
    if (ended || response.ended() || response.closed()) {
      ended = true;
      return;
    }
    ended = true;
    if (!sse) {
      // A request whose handler sent nothing at all: accepted, no body.
      response.setStatusCode(202);
    }
    response.end();
  }

  private Mono<Void> onContext(Runnable action) {
    return Mono.create(sink -> context.runOnContext(ignored -> {
      try {
        action.run();
        sink.success();
      } catch (RuntimeException e) {
        sink.error(e);
      }
    }));
  }
}
