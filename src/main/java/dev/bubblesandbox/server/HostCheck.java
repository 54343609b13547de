package dev.bubblesandbox.server;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;

/**
 * DNS rebinding, kept out of a key-less server: a page of {@code evil.example} whose name is made
 * to resolve to 127.0.0.1 reaches this server as its own origin, so the Origin check cannot see it;
 * but its requests, HTTP and WebSocket alike, still say {@code Host: evil.example}. Only the names
 * of {@code allowed_hosts} are answered (421 otherwise). Requests of cluster nodes (TLS) and the
 * health probes, which a platform sends to an address, are not checked.
 */
final class HostCheck {

  private final Set<String> allowedHosts;

  HostCheck(Set<String> allowedHosts) {
    this.allowedHosts = allowedHosts;
  }

  void handle(RoutingContext routing) {
    if (routing.request().isSSL() || routing.request().path().startsWith(HealthHandlers.PATH_PREFIX)
        || allowedHosts.contains(hostName(routing.request().getHeader(HttpHeaders.HOST)))) {
      routing.next();
      return;
    }
    routing.fail(new RefusedException(ErrorCode.HOST_NOT_ALLOWED,
        "This server does not answer for that host name; add it to allowed_hosts, or set an API key."));
  }

  /** The name of a {@code Host} header without its port, in lower case; "" when there is none. */
  static String hostName(String host) {
    if (host == null) {
      return "";
    }
    String lower = host.strip().toLowerCase(Locale.ROOT);
    if (lower.startsWith("[")) {
      int end = lower.indexOf(']');
      return end < 0 ? lower : lower.substring(0, end + 1);
    }
    int colon = lower.indexOf(':');
    return colon < 0 ? lower : lower.substring(0, colon);
  }
}
