package dev.bubblesandbox.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/** Waits for a server started as a process of its own to answer {@code /metrics}. */
final class ServedMetrics {

  private ServedMetrics() {}

  /**
   * The first {@code /metrics} answer on {@code port}, or null when {@code server} ended or a
   * minute passed: a JVM, Vert.x and the ready launchers start slowly on a loaded machine.
   */
  static String await(HttpClient http, int port, Process server) {
    // Each attempt is bounded, so that no one request can use the minute.
    HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build();
    try {
      return Awaitility.await().atMost(Duration.ofMinutes(1)).failFast(() -> !server.isAlive())
          .ignoreExceptionsInstanceOf(IOException.class)
          .until(() -> http.send(metrics, HttpResponse.BodyHandlers.ofString()).body(), Objects::nonNull);
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      return null;
    }
  }
}
