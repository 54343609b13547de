package dev.bubblesandbox.config;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The rules a server's settings must keep before it serves (SPEC §13): a server reachable from
 * other hosts, or one in a cluster, has keys unless {@code allow_unauthenticated} says otherwise
 * out loud; a cluster node has the cluster secret and its TLS material.
 */
public final class TrustChecks {

  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "::1", "[::1]");

  private TrustChecks() {}

  /**
   * @return a warning to log at every start when the server serves without a key where it would
   *     otherwise refuse to
   * @throws InvalidSettingException naming the setting that is missing
   */
  public static Optional<String> check(Settings settings) {
    if (settings.clusterEnabled()) {
      if (settings.clusterSecret().isEmpty()) {
        throw new InvalidSettingException("Invalid setting " + Setting.describe("cluster_secret")
            + ": cluster mode needs a shared secret of 32 characters or more on every node.");
      }
      if (settings.clusterTlsDir().isEmpty()) {
        throw new InvalidSettingException("Invalid setting " + Setting.describe("cluster_tls_dir")
            + ": cluster mode needs the cluster's certificates (ca.crt, node.crt, node.key); "
            + "make them with: bubble-sandbox cluster-certs --out DIR");
      }
    }
    if (hasKeys(settings)) {
      return Optional.empty();
    }
    boolean exposed = !isLoopback(settings.httpHost());
    if (!exposed && !settings.clusterEnabled()) {
      return Optional.empty();
    }
    String where = exposed ? "listens on " + settings.httpHost() + ", beyond loopback," : "is a cluster node";
    if (!settings.allowUnauthenticated()) {
      throw new InvalidSettingException("Refusing to start: this server " + where + " and has no API key. Set "
          + Setting.describe("api_key") + " or " + Setting.describe("api_keys") + ", or set "
          + Setting.describe("allow_unauthenticated") + " to true to serve anyone who can reach it.");
    }
    return Optional.of("this server " + where + " and has no API key: anyone who can reach it can run code "
        + "(allow_unauthenticated is true)");
  }

  /** Whether any key is configured: the single {@code api_key} or {@code api_keys}. */
  public static boolean hasKeys(Settings settings) {
    return !settings.apiKey().isEmpty() || !settings.apiKeys().isEmpty();
  }

  /** Whether {@code host} is a loopback address or name: only this machine can connect. */
  public static boolean isLoopback(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    return LOOPBACK_NAMES.contains(lower) || lower.matches("127(\\.[0-9]{1,3}){3}");
  }
}
