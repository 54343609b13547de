package dev.bubblesandbox.server;

import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.config.Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who may use the API: the API key when one is configured (compared in constant time), and, for
 * WebSocket consoles opened by a browser, an allowed Origin. {@code /health} and {@code /metrics}
 * are not guarded.
 */
final class AccessGuard {

  private final byte[] expectedAuthorization;
  private final List<String> allowedOrigins;

  AccessGuard(Settings settings) {
    this.expectedAuthorization = settings.apiKey().isEmpty() ? null
        : ("Bearer " + settings.apiKey()).getBytes(StandardCharsets.UTF_8);
    this.allowedOrigins = settings.corsAllowedOrigins();
  }

  /** Route handler for {@code /v1/*}. */
  void handle(RoutingContext routing) {
    if (expectedAuthorization != null) {
      String given = routing.request().getHeader(HttpHeaders.AUTHORIZATION);
      byte[] presented = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(presented, expectedAuthorization)) {
        routing.response().putHeader("WWW-Authenticate", "Bearer");
        routing.fail(new RefusedException("unauthorized", "A valid API key is required."));
        return;
      }
    }
    String origin = routing.request().getHeader(HttpHeaders.ORIGIN);
    // Browsers send Origin on WebSocket upgrades but apply no same-origin rule to them: without
    // this check any page a user visits could drive a console.
    if (origin != null && isUpgrade(routing) && !allowedOrigins.contains(origin)) {
      routing.fail(new RefusedException("origin_not_allowed", "WebSocket connections from this origin are not allowed."));
      return;
    }
    routing.next();
  }

  private static boolean isUpgrade(RoutingContext routing) {
    String upgrade = routing.request().getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }
}
