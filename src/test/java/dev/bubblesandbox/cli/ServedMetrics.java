package dev.bubblesandbox.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Waits for a server started as a process of its own to answer {@code /metrics}. */
final class ServedMetrics {

  private ServedMetrics() {}

  /**
   * The first {@code /metrics} answer on {@code port}, or null when {@code server} ended or a
   * minute passed: a JVM, Vert.x and the ready launchers start slowly on a loaded machine.
   */
  static String await(HttpClient http, int port, Process server) throws InterruptedException {
    for (int i = 0; i < 600 && server.isAlive(); i++) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    return null;
  }
}
