package dev.bubblesandbox.server;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * Who may use the API: the API key when one is configured (compared in constant time), and, for
 * WebSocket consoles opened by a browser, an allowed Origin. {@code /health} and {@code /metrics}
 * are not guarded.
 *
 * <p>The key comes as {@code Authorization: Bearer <key>} (the scheme in any case, RFC 7235) or,
 * on a WebSocket upgrade only, as the subprotocol {@code bearer.<key>} offered beside
 * {@value ConsoleHandler#SUBPROTOCOL}: browsers cannot set headers on a WebSocket, but they can
 * offer subprotocols. The server answers with {@value ConsoleHandler#SUBPROTOCOL} alone, so the
 * key is never echoed. A key in the URL would end up in logs and browser history: it is not read.
 */
final class AccessGuard {

  /** Prefix of the subprotocol that carries the key. */
  static final String KEY_SUBPROTOCOL_PREFIX = "bearer.";

  private static final String SCHEME = "bearer";

  private final byte[] expectedKeyDigest;
  private final List<String> allowedOrigins;

  AccessGuard(ApiSettings settings) {
    this.expectedKeyDigest = settings.apiKey().isEmpty() ? null : digest(settings.apiKey());
    this.allowedOrigins = settings.corsAllowedOrigins();
  }

  /** Route handler for {@code /v1/*}. */
  void handle(RoutingContext routing) {
    if (expectedKeyDigest != null && !presentsKey(routing)) {
      routing.response().putHeader("WWW-Authenticate", "Bearer");
      routing.fail(new RefusedException(ErrorCode.UNAUTHORIZED, "A valid API key is required."));
      return;
    }
    String origin = routing.request().getHeader(HttpHeaders.ORIGIN);
    // Browsers send Origin on WebSocket upgrades but apply no same-origin rule to them: without
    // this check any page a user visits could drive a console.
    if (origin != null && isUpgrade(routing) && !allowedOrigins.contains(origin)) {
      routing.fail(new RefusedException(ErrorCode.ORIGIN_NOT_ALLOWED, "WebSocket connections from this origin are not allowed."));
      return;
    }
    routing.next();
  }

  private boolean presentsKey(RoutingContext routing) {
    String authorization = routing.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null) {
      return matches(bearerToken(authorization));
    }
    if (isUpgrade(routing)) {
      return matches(subprotocolKey(routing.request().getHeader("Sec-WebSocket-Protocol")));
    }
    return false;
  }

  /**
   * The token of {@code Bearer <token>}: the scheme in any case, then one or more spaces (RFC 7235
   * {@code credentials = auth-scheme 1*SP token68}); null for any other scheme.
   */
  static String bearerToken(String authorization) {
    String value = authorization.strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return null;
    }
    return value.substring(space).stripLeading();
  }

  /** The key of a {@code bearer.<key>} entry in a comma-separated subprotocol offer, or null. */
  static String subprotocolKey(String offered) {
    if (offered == null) {
      return null;
    }
    for (String protocol : offered.split(",")) {
      String candidate = protocol.strip();
      if (candidate.regionMatches(true, 0, KEY_SUBPROTOCOL_PREFIX, 0, KEY_SUBPROTOCOL_PREFIX.length())) {
        return candidate.substring(KEY_SUBPROTOCOL_PREFIX.length());
      }
    }
    return null;
  }

  /**
   * Compares digests, not the strings: {@link MessageDigest#isEqual} is constant-time for equal
   * lengths only, and fixed-length digests leave the key's length unknown too.
   */
  private boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(digest(presented), expectedKeyDigest);
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static boolean isUpgrade(RoutingContext routing) {
    String upgrade = routing.request().getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }
}
