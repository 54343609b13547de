package dev.bubblesandbox.server.console;

import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The messages a console socket received and has not handled yet, handed on in order and no
 * faster than the rate limit. While a message waits, reading from the socket is paused, so the
 * client's next messages wait in TCP: slowed down, never dropped, never piling up here.
 * Event-loop only.
 */
final class ConsoleInbox {

  private static final long NO_TIMER = -1;

  private final Vertx vertx;
  private final ServerWebSocket socket;
  private final RateLimiter rate;
  /** Whether the connection may handle a message now (e.g. not while a sandbox is starting). */
  private final BooleanSupplier mayHandle;
  private final Consumer<Object> handler;
  /** Oldest first: text as String, binary as Buffer. */
  private final ArrayDeque<Object> messages = new ArrayDeque<>();
  /** Whether reading from the socket is paused because messages wait here. */
  private boolean paused;
  private long rateTimer = NO_TIMER;
  private boolean closed;

  ConsoleInbox(Vertx vertx, ServerWebSocket socket, int messagesPerSecond, BooleanSupplier mayHandle,
      Consumer<Object> handler) {
    this.vertx = vertx;
    this.socket = socket;
    this.rate = new RateLimiter(messagesPerSecond);
    this.mayHandle = mayHandle;
    this.handler = handler;
  }

  void add(Object received) {
    messages.add(received);
    drain();
  }

  /** Hands on waiting messages as far as it may; call again when {@code mayHandle} turns true. */
  void drain() {
    while (!messages.isEmpty() && !closed && mayHandle.getAsBoolean() && rateTimer == NO_TIMER) {
      if (!rate.tryTake()) {
        long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(rate.nanosUntilToken()));
        rateTimer = vertx.setTimer(waitMs, fired -> {
          rateTimer = NO_TIMER;
          drain();
        });
        break;
      }
      handler.accept(messages.poll());
    }
    if (closed) {
      return;
    }
    boolean hold = !messages.isEmpty();
    if (hold != paused) {
      paused = hold;
      if (hold) {
        socket.pause();
      } else {
        socket.resume();
      }
    }
  }

  /** The socket closed: what waits is dropped, with no one left to answer. */
  void close() {
    closed = true;
    messages.clear();
    if (rateTimer != NO_TIMER) {
      vertx.cancelTimer(rateTimer);
    }
  }
}
