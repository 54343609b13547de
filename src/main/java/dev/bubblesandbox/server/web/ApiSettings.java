package dev.bubblesandbox.server.web;

import dev.bubblesandbox.config.ApiKey;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.session.Tenant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The settings the API verticles and their handlers read, taken once from {@link Settings}: they
 * get this slice, not every setting (the limits of executions are {@link ServerContext#limits}).
 *
 * @param keys every tenant's key digest: {@code api_keys}, and the single {@code api_key} as the
 *     default tenant's; empty on a key-less server
 * @param allowedHosts the {@code Host} names a key-less server answers
 * @param shutdownGrace how long running requests may go on once the server stops
 */
public record ApiSettings(String httpHost, int httpPort, List<ApiKey> keys, Set<String> allowedHosts,
    List<String> corsAllowedOrigins, long maxUploadSizeBytes, int websocketMessagesPerSecond,
    boolean allowPersistentSessions, int maxSessions, Duration shutdownGrace) {

  public static ApiSettings from(Settings settings) {
    List<ApiKey> keys = new ArrayList<>(settings.apiKeys());
    if (!settings.apiKey().isEmpty()) {
      keys.add(new ApiKey(Tenant.DEFAULT_NAME, sha256Hex(settings.apiKey()), 0));
    }
    Set<String> hosts = new LinkedHashSet<>(settings.allowedHosts());
    if (hosts.isEmpty()) {
      hosts.addAll(List.of("localhost", "127.0.0.1", "[::1]"));
      String bound = settings.httpHost().toLowerCase(java.util.Locale.ROOT);
      if (!bound.equals("0.0.0.0") && !bound.equals("::")) {
        hosts.add(bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound);
      }
    }
    return new ApiSettings(settings.httpHost(), settings.httpPort(), List.copyOf(keys), Set.copyOf(hosts),
        List.copyOf(settings.corsAllowedOrigins()), settings.maxUploadSizeBytes(),
        settings.websocketMessagesPerSecond(), settings.allowPersistentSessions(),
        settings.maxSessions(), Duration.ofSeconds(settings.shutdownGraceSeconds()));
  }

  /** The tenants with a bound of their own: their most sessions at once, by name. */
  public java.util.Map<String, Integer> tenantBounds() {
    java.util.Map<String, Integer> bounds = new java.util.HashMap<>();
    tenants().stream().filter(tenant -> tenant.maxSessions() > 0)
        .forEach(tenant -> bounds.put(tenant.name(), tenant.maxSessions()));
    return bounds;
  }

  /** A server with no key: it answers only its own host names and JSON sent as JSON. */
  public boolean keyless() {
    return keys.isEmpty();
  }

  /** The tenants a key can name, by name (the default tenant when there is no key). */
  public List<Tenant> tenants() {
    return keyless() ? List.of(Tenant.DEFAULT)
        : keys.stream().map(key -> new Tenant(key.tenant(), key.maxSessions())).toList();
  }

  static String sha256Hex(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Never a key. */
  @Override
  public String toString() {
    return "ApiSettings[" + httpHost + ":" + httpPort + ", tenants=" + tenants().stream().map(Tenant::name).toList() + "]";
  }
}
