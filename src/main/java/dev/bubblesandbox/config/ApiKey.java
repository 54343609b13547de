package dev.bubblesandbox.config;

import java.util.regex.Pattern;

/**
 * One entry of {@code api_keys}: a tenant and the SHA-256 of its key (the key itself is never
 * stored), with an optional cap on the sessions the tenant may hold.
 *
 * @param keySha256 64 lower-case hex digits
 * @param maxSessions 0 for no cap beyond {@code max_sessions}
 */
public record ApiKey(String tenant, String keySha256, int maxSessions) {

  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  public static boolean isTenantName(String name) {
    return name != null && TENANT.matcher(name).matches();
  }

  /** Never the digest. */
  @Override
  public String toString() {
    return "ApiKey[" + tenant + "]";
  }
}
