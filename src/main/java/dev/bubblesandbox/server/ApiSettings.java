package dev.bubblesandbox.server;

import dev.bubblesandbox.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The settings the API verticles and their handlers read, taken once from {@link Settings}: they
 * get this slice, not every setting (the limits of executions are {@link ServerContext#limits}).
 *
 * @param shutdownGrace how long running requests may go on once the server stops
 */
record ApiSettings(String httpHost, int httpPort, String apiKey, List<String> corsAllowedOrigins,
    long maxUploadSizeBytes, int websocketMessagesPerSecond, boolean allowPersistentSessions,
    int maxSessions, Duration shutdownGrace) {

  static ApiSettings from(Settings settings) {
    return new ApiSettings(settings.httpHost(), settings.httpPort(), settings.apiKey(),
        List.copyOf(settings.corsAllowedOrigins()), settings.maxUploadSizeBytes(),
        settings.websocketMessagesPerSecond(), settings.allowPersistentSessions(),
        settings.maxSessions(), Duration.ofSeconds(settings.shutdownGraceSeconds()));
  }

  /** Never the API key itself. */
  @Override
  public String toString() {
    return "ApiSettings[" + httpHost + ":" + httpPort + ", apiKey=" + (apiKey.isEmpty() ? "none" : "set") + "]";
  }
}
