package dev.bubblesandbox.server.web;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
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
public final class HostCheck {

  /** The probes' paths, answered whatever the Host: a kubelet probes the pod's address. */
  public static final String PROBE_PATH_PREFIX = "/health/";

  private final Set<String> allowedHosts;

  public HostCheck(Set<String> allowedHosts) {
    this.allowedHosts = allowedHosts;
  }

  public void handle(RoutingContext routing) {
    if (routing.request().isSSL() || routing.request().path().startsWith(PROBE_PATH_PREFIX)
        || allowedHosts.contains(hostName(authority(routing.request())))) {
      routing.next();
      return;
    }
    routing.fail(new RefusedException(ErrorCode.HOST_NOT_ALLOWED,
        "This server does not answer for that host name; add it to allowed_hosts, or set an API key."));
  }

  /**
   * The host and port the request was sent to, as its client wrote them: the {@code Host} header
   * over HTTP/1.x, the {@code :authority} pseudo-header over HTTP/2; null when there is none.
   */
  static String authority(HttpServerRequest request) {
    String host = request.getHeader(HttpHeaders.HOST);
    if (host != null) {
      return host;
    }
    HostAndPort authority = request.authority();
    if (authority == null) {
      return null;
    }
    String name = authority.host().contains(":") && !authority.host().startsWith("[")
        ? "[" + authority.host() + "]" : authority.host();
    return authority.port() >= 0 ? name + ":" + authority.port() : name;
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
