package dev.bubblesandbox.cluster;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The proof a forwarded request carries instead of the client's key: the entry node checked the
 * key and names the tenant it belongs to, for one method and path, for a short time, signed with
 * the cluster secret. The owner node trusts the tenant only with a valid token, and only on its
 * TLS listener for cluster nodes; a client's key never leaves the node it was sent to.
 *
 * <p>The form is {@code base64url(JSON payload) "." base64url(HMAC-SHA256)}.
 */
public final class HopTokens {

  /** The header a forwarded request carries its token in. */
  public static final String HEADER = "X-Bubble-Sandbox-Hop";

  /** Long enough for clocks a little apart; a token is checked once, when its request arrives. */
  static final Duration LIFETIME = Duration.ofSeconds(30);

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final ClusterSecret secret;
  private final String node;
  private final Clock clock;

  HopTokens(ClusterSecret secret, String node, Clock clock) {
    this.secret = secret;
    this.node = node;
    this.clock = clock;
  }

  /** What a valid token says: the node that sent it, and the tenant it acts for. */
  public record Hop(String node, String tenant) {}

  /** A token for a request of {@code tenant} with {@code method} and {@code path} (no query). */
  public String issue(String tenant, String method, String path) {
    String payload = ENCODER.encodeToString(new JsonObject().put("n", node).put("t", tenant).put("m", method)
        .put("p", path).put("e", clock.millis() + LIFETIME.toMillis()).encode().getBytes(StandardCharsets.UTF_8));
    return payload + "." + ENCODER.encodeToString(secret.signHop(payload));
  }

  /** The hop of a token signed with this cluster's secret, unexpired, for this method and path. */
  public Optional<Hop> verify(String token, String method, String path) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return Optional.empty();
    }
    try {
      String payload = token.substring(0, dot);
      if (!ClusterSecret.same(secret.signHop(payload), DECODER.decode(token.substring(dot + 1)))) {
        return Optional.empty();
      }
      JsonObject claims = new JsonObject(new String(DECODER.decode(payload), StandardCharsets.UTF_8));
      long expires = claims.getLong("e");
      long now = clock.millis();
      if (expires < now || expires > now + 2 * LIFETIME.toMillis()
          || !method.equals(claims.getString("m")) || !path.equals(claims.getString("p"))) {
        return Optional.empty();
      }
      return Optional.of(new Hop(claims.getString("n"), claims.getString("t")));
    } catch (RuntimeException e) { // not base64, not JSON, a field missing or of another type
      return Optional.empty();
    }
  }
}
