package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.HttpApiIT.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two keys, two tenants, one server: neither sees the other's sessions; each has its own bound. */
class TenantsIT {

  private static final String KEY_A = "tenant-a-key-0123456789abcdef";
  private static final String KEY_B = "tenant-b-key-0123456789abcdef";
  private static final String KEY_C = "tenant-c-key-0123456789abcdef";

  @RegisterExtension
  static final TestServer server = TestServer.perClass(keys());

  private static Map<String, Object> keys() {
    try {
      return Map.of("api_keys", List.of(TenantClient.entry("team-a", KEY_A, null),
          TenantClient.entry("team-b", KEY_B, null), TenantClient.entry("team-c", KEY_C, 2)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("B lists none of A's sessions; every route on A's session answers 404 to B; both may choose the same id")
  void isolated() throws Exception {
    TenantIsolation.assertIsolated(new TenantClient(server.server.port(), KEY_A),
        new TenantClient(server.server.port(), KEY_B), "team-a");
  }

  @Test
  @DisplayName("A tenant's max_sessions: the next session gets 429 tenant_limit_reached with Retry-After; "
      + "the others are not held back")
  void tenantBound() throws Exception {
    TenantClient c = new TenantClient(server.server.port(), KEY_C);
    String first = c.create("{}");
    c.create("{}");
    var refused = c.send("POST", "/v1/sessions", "{}");
    assertError(refused, 429, "tenant_limit_reached");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(c.consoleStatus("/v1/console")).isEqualTo(429);
    assertThat(new TenantClient(server.server.port(), KEY_A).send("POST", "/v1/sessions", "{}").statusCode()).isEqualTo(201);
    // The same id again is no new session: it is answered, not refused.
    assertThat(c.send("POST", "/v1/sessions", "{\"session_id\": \"" + first + "\"}").statusCode()).isEqualTo(200);
    assertThat(c.send("DELETE", "/v1/sessions/" + first, null).statusCode()).isEqualTo(204);
    assertThat(c.send("POST", "/v1/sessions", "{}").statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("The tenant label of bubble_sandbox_tenant_sessions names the configured tenants only")
  void metricsPerTenant() throws Exception {
    String metrics = server.get("/metrics").body();
    assertThat(metrics.lines().filter(line -> line.startsWith("bubble_sandbox_tenant_sessions{")))
        .hasSize(3).allMatch(line -> line.matches("bubble_sandbox_tenant_sessions\\{tenant=\"team-[abc]\"} .*"));
  }
}
