package dev.bubblesandbox.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (the JDK's) that records each JSON frame with its arrival time. */
final class ConsoleClient implements AutoCloseable {

  /** A frame and when the test saw it. */
  record Frame(JsonNode json, long receivedNanos) {
    String type() {
      return json.get("type").asText();
    }
  }

  final WebSocket socket;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

  /** The server's close status and reason, once it closes the socket. */
  final java.util.concurrent.CompletableFuture<String> closed;

  private ConsoleClient(WebSocket socket, java.util.concurrent.CompletableFuture<String> closed) {
    this.socket = socket;
    this.closed = closed;
  }

  /** Connects; a client that {@code reads} nothing never asks for a frame (no flow credit). */
  static ConsoleClient connect(HttpClient http, URI uri, boolean reads) {
    return connect(http.newWebSocketBuilder(), uri, reads);
  }

  /** Connects with a builder the caller prepared (headers such as Authorization). */
  static ConsoleClient connect(WebSocket.Builder builder, URI uri, boolean reads) {
    BlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
    java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
    WebSocket socket = builder.buildAsync(uri, new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public void onOpen(WebSocket webSocket) {
        if (reads) {
          webSocket.request(1);
        }
      }

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          try {
            queue.add(new Frame(TestServer.JSON.readTree(partial.toString()), System.nanoTime()));
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
          partial.setLength(0);
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
      }
    }).orTimeout(10, TimeUnit.SECONDS).join();
    ConsoleClient client = new ConsoleClient(socket, closed);
    client.frames.addAll(queue);
    client.drainFrom(queue);
    return client;
  }

  private void drainFrom(BlockingQueue<Frame> queue) {
    Thread thread = new Thread(() -> {
      try {
        while (true) {
          frames.add(queue.take());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "console-client");
    thread.setDaemon(true);
    thread.start();
  }

  void send(String json) {
    socket.sendText(json, true).join();
  }

  /** The next frame, failing after {@code seconds}. */
  Frame next(int seconds) throws InterruptedException {
    Frame frame = frames.poll(seconds, TimeUnit.SECONDS);
    if (frame == null) {
      throw new AssertionError("no frame within " + seconds + " s");
    }
    return frame;
  }

  /** Frames up to and including the next one of {@code type}. */
  java.util.List<Frame> until(String type, int seconds) throws InterruptedException {
    java.util.List<Frame> seen = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      Frame frame = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (frame == null) {
        throw new AssertionError("no '" + type + "' frame within " + seconds + " s; saw " + seen);
      }
      seen.add(frame);
      if (frame.type().equals(type)) {
        return seen;
      }
    }
  }

  @Override
  public void close() {
    socket.abort();
  }
}
