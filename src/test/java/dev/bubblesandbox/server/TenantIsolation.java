package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/**
 * What two tenants may see of each other: nothing. Tenant A makes sessions through one client;
 * tenant B, through another (the same node or another one), tries every route on them.
 */
final class TenantIsolation {

  private TenantIsolation() {}

  /** Asserts that {@code b} cannot see or reach anything {@code a} made. */
  static void assertIsolated(TenantClient a, TenantClient b, String prefixOfA) throws Exception {
    // A kernel session: its kernel, alive with A's state, is not B's to interrupt or restart.
    String secret = a.create("{\"kernel\": true}");
    assertThat(a.execute(secret, "kept = 'A'").get("kernel").asText()).isEqualTo("restarted");
    assertThat(a.send("PUT", "/v1/sessions/" + secret + "/files/secret.txt", "A's data").statusCode()).isEqualTo(201);
    String chosenA = a.create("{\"session_id\": \"report\"}");
    String chosenB = b.create("{\"session_id\": \"report\"}");
    assertThat(chosenA).isEqualTo("report");
    assertThat(chosenB).isEqualTo("report");
    a.execute("report", "open('who.txt', 'w').write('a')");
    b.execute("report", "open('who.txt', 'w').write('b')");
    assertThat(a.send("GET", "/v1/sessions/report/files/who.txt", null).body()).isEqualTo("a");
    assertThat(b.send("GET", "/v1/sessions/report/files/who.txt", null).body()).isEqualTo("b");

    assertThat(b.listed()).contains("report").doesNotContain(secret);
    assertThat(a.listed()).contains("report", secret);

    String path = "/v1/sessions/" + secret;
    assertMissing(b.send("GET", path, null));
    assertMissing(b.send("POST", path + "/execute", "{\"script\": \"print(open('secret.txt').read())\"}"));
    assertMissing(b.send("GET", path + "/files", null));
    assertMissing(b.send("GET", path + "/files/secret.txt", null));
    assertMissing(b.send("PUT", path + "/files/secret.txt", "B overwrote it"));
    assertMissing(b.multipart(path + "/files", "planted.txt", "B planted it"));
    assertMissing(b.send("DELETE", path + "/files/secret.txt", null));
    assertMissing(b.send("POST", path + "/interrupt", null));
    assertMissing(b.send("POST", path + "/restart", null));
    assertMissing(b.send("DELETE", path, null));
    assertThat(b.consoleStatus(path + "/console")).isEqualTo(404);
    // Naming A's session by its server id (tenant, dot, id) is no way in either.
    assertMissing(b.send("GET", "/v1/sessions/" + prefixOfA + "." + secret, null));
    assertMissing(b.send("GET", "/v1/sessions/" + prefixOfA + "." + secret + "/files/secret.txt", null));

    // All of it is still A's, untouched.
    assertThat(a.send("GET", path + "/files/secret.txt", null).body()).isEqualTo("A's data");
    assertThat(a.send("GET", path + "/files", null).body()).doesNotContain("planted");
    JsonNode kept = a.execute(secret, "kept");
    assertThat(kept.get("kernel").asText()).isEqualTo("preserved");
    assertThat(kept.get("results").get(0).get("text/plain").asText()).isEqualTo("'A'");

    // A throwaway console of A's is not B's to see.
    try (ConsoleClient console = a.console("/v1/console")) {
      String throwaway = console.next(10).json().get("session_id").asText();
      assertThat(a.listed()).contains(throwaway);
      assertThat(b.listed()).doesNotContain(throwaway);
      assertMissing(b.send("GET", "/v1/sessions/" + throwaway, null));
    }
  }

  private static void assertMissing(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    assertThat(TestServer.json(response).get("error").get("code").asText()).isEqualTo("session_not_found");
  }
}
