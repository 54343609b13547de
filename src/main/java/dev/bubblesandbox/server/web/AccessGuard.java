package dev.bubblesandbox.server.web;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.cluster.HopTokens;
import dev.bubblesandbox.config.ApiKey;
import dev.bubblesandbox.session.Tenant;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who may use the API, and as which tenant: the holder of a configured key (compared in
 * constant time against every key's digest), a cluster node forwarding with a valid hop token, or
 * anyone on a key-less server; WebSocket consoles opened by a browser also need an allowed Origin
 * or the server's own. {@code /health} and {@code /metrics} are not guarded.
 *
 * <p>The key comes as {@code Authorization: Bearer <key>} (the scheme in any case, RFC 7235) or,
 * on a WebSocket upgrade only, as the subprotocol {@code bearer.<key>} offered beside the
 * console's own: browsers cannot set headers on a WebSocket, but they can offer subprotocols. The
 * server answers with the console's subprotocol alone, so the key is never echoed. A key in the
 * URL would end up in logs and browser history: it is not read.
 *
 * <p>A key-less server can still be reached by any page a browser shows, through the browser: a
 * cross-site request with a body must not run code. So a key-less server refuses requests that a
 * page of another origin sends with a body (their {@code Origin} says so), and the JSON routes
 * accept JSON only as {@code application/json}, which no cross-site form or simple request can
 * send ({@link #requireJson}). {@link HostCheck} keeps DNS rebinding out.
 */
public final class AccessGuard {

  /** Prefix of the subprotocol that carries the key. */
  public static final String KEY_SUBPROTOCOL_PREFIX = "bearer.";

  private static final String SCHEME = "bearer";

  /** The settings in force: the keys are read at every request, a reloaded file may change them. */
  private final Supplier<ApiSettings> settings;
  /** The digests of the keys in force, parsed once per configuration. */
  private volatile Keys keys;
  /** Null on a single node: no request is forwarded to it. */
  private final HopTokens hops;

  /** A configured key's digest and the tenant it belongs to. */
  private record Candidate(byte[] digest, Tenant tenant) {}

  /** The candidates of one configuration. */
  private record Keys(ApiSettings from, List<Candidate> candidates) {

    static Keys of(ApiSettings settings) {
      return new Keys(settings, settings.keys().stream().map(key -> new Candidate(
          HexFormat.of().parseHex(key.keySha256()), new Tenant(key.tenant(), key.maxSessions()))).toList());
    }
  }

  public AccessGuard(Supplier<ApiSettings> settings, HopTokens hops) {
    this.settings = settings;
    this.keys = Keys.of(settings.get());
    this.hops = hops;
  }

  private Keys keys() {
    ApiSettings now = settings.get();
    Keys known = keys;
    if (known.from() != now) {
      known = Keys.of(now);
      keys = known;
    }
    return known;
  }

  /** Route handler for {@code /v1/*}. */
  public void handle(RoutingContext routing) {
    HttpServerRequest request = routing.request();
    String hop = request.getHeader(HopTokens.HEADER);
    if (hop != null || request.isSSL()) {
      // The TLS listener is for cluster nodes, and a hop token is worth something only there.
      Optional<Tenant> forwardedFor = hop == null || hops == null || !request.isSSL() ? Optional.empty()
          : hops.verify(hop, request.method().name(), request.path()).flatMap(valid -> tenant(valid.tenant()));
      if (forwardedFor.isEmpty()) {
        routing.fail(new RefusedException(ErrorCode.UNAUTHORIZED, "A forwarded request needs a valid hop token from a cluster node."));
        return;
      }
      TenantScope.set(routing, forwardedFor.get());
      routing.next();
      return;
    }
    Tenant tenant;
    if (keys().candidates().isEmpty()) {
      tenant = Tenant.DEFAULT;
      if (isCrossOrigin(routing) && hasBody(request)) {
        routing.fail(new RefusedException(ErrorCode.ORIGIN_NOT_ALLOWED,
            "Requests from this origin are not allowed: this server has no API key."));
        return;
      }
    } else {
      Optional<Tenant> presented = presentedKey(routing).flatMap(this::tenantOfKey);
      if (presented.isEmpty()) {
        routing.response().putHeader("WWW-Authenticate", "Bearer");
        routing.fail(new RefusedException(ErrorCode.UNAUTHORIZED, "A valid API key is required."));
        return;
      }
      tenant = presented.get();
    }
    // Browsers send Origin on WebSocket upgrades but apply no same-origin rule to them: without
    // this check any page a user visits could drive a console. The server's own console page
    // (same origin) may, as it may call the HTTP API anyway.
    if (isUpgrade(routing) && isCrossOrigin(routing)) {
      routing.fail(new RefusedException(ErrorCode.ORIGIN_NOT_ALLOWED, "WebSocket connections from this origin are not allowed."));
      return;
    }
    TenantScope.set(routing, tenant);
    routing.next();
  }

  /**
   * Route handler for {@code /mcp}: as {@link #handle}, and a foreign {@code Origin} is refused
   * on every request, with a key or without: MCP's Streamable HTTP transport requires the check
   * (DNS rebinding), and the agents that speak it are not pages of another site.
   */
  public void handleMcp(RoutingContext routing) {
    if (isCrossOrigin(routing)) {
      routing.fail(new RefusedException(ErrorCode.ORIGIN_NOT_ALLOWED, "MCP requests from this origin are not allowed."));
      return;
    }
    handle(routing);
  }

  /**
   * On a key-less server, before a JSON route reads its body: anything but {@code application/json}
   * is refused with 415, so that a cross-site simple request ({@code text/plain}, a form) cannot
   * run code. With keys, a browser cannot send the key cross-site without the server's consent
   * (CORS), and clients that leave the type out keep working.
   */
  public static void requireJson(RoutingContext routing, ApiSettings settings) {
    String type = routing.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (settings.keyless() && !mediaType.equals("application/json")) {
      routing.fail(new RefusedException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "This server has no API key: send JSON with Content-Type: application/json."));
      return;
    }
    routing.next();
  }

  private Optional<Tenant> tenant(String name) {
    return settings.get().tenants().stream().filter(tenant -> tenant.name().equals(name)).findFirst();
  }

  /** Every digest is compared, whichever matches: the time taken says nothing of which. */
  private Optional<Tenant> tenantOfKey(String presented) {
    byte[] digest = digest(presented);
    Tenant found = null;
    for (Candidate candidate : keys().candidates()) {
      if (MessageDigest.isEqual(digest, candidate.digest())) {
        found = candidate.tenant();
      }
    }
    return Optional.ofNullable(found);
  }

  private static Optional<String> presentedKey(RoutingContext routing) {
    String authorization = routing.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null) {
      return Optional.ofNullable(bearerToken(authorization));
    }
    if (isUpgrade(routing)) {
      return Optional.ofNullable(subprotocolKey(routing.request().getHeader("Sec-WebSocket-Protocol")));
    }
    return Optional.empty();
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

  /** Digests, not the strings, are compared: fixed-length digests leave the key's length unknown too. */
  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** A browser says where the page that sent this came from, and it is neither allowed nor this server. */
  private boolean isCrossOrigin(RoutingContext routing) {
    String origin = routing.request().getHeader(HttpHeaders.ORIGIN);
    return origin != null && !settings.get().corsAllowedOrigins().contains(origin)
        && !isSameOrigin(origin, HostCheck.authority(routing.request()));
  }

  private static boolean hasBody(HttpServerRequest request) {
    HttpMethod method = request.method();
    return !method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD) && !method.equals(HttpMethod.OPTIONS);
  }

  /**
   * Whether {@code origin} names the host and port the request was sent to (its {@code Host}).
   * Either scheme: behind a TLS-terminating proxy the page is {@code https} while this server
   * speaks plain HTTP. Both sides omit a default port, so the strings compare as they are.
   */
  static boolean isSameOrigin(String origin, String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String authority;
    if (origin.regionMatches(true, 0, "http://", 0, 7)) {
      authority = origin.substring(7);
    } else if (origin.regionMatches(true, 0, "https://", 0, 8)) {
      authority = origin.substring(8);
    } else {
      return false;   // "null" (sandboxed frames, file: pages) and other schemes
    }
    return authority.equalsIgnoreCase(host);
  }

  private static boolean isUpgrade(RoutingContext routing) {
    String upgrade = routing.request().getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }
}
