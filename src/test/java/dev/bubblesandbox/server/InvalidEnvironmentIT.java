package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.server.routes.HealthHandlers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An environment whose {@code pyproject.toml} does not parse breaks only itself: the listing stays
 * 200 and carries its error, running in it refuses with that error, and readiness depends on the
 * default environment alone.
 */
class InvalidEnvironmentIT {

  private static final String BROKEN_TOML = "[project]\nname = \"x\"\ndependencies = [\n  ?\n";

  private Path environments;

  @BeforeEach
  void environments() throws Exception {
    environments = Files.createTempDirectory("bubble-sandbox-invalid-envs-");
    Files.setPosixFilePermissions(environments, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterEach
  void remove() throws Exception {
    dev.bubblesandbox.HostFiles.deleteRecursively(environments);
  }

  private void broken(String name) throws Exception {
    Files.writeString(Files.createDirectories(environments.resolve(name)).resolve("pyproject.toml"), BROKEN_TOML);
  }

  private static JsonNode named(JsonNode list, String name) {
    for (JsonNode environment : list) {
      if (environment.path("name").asText().equals(name)) {
        return environment;
      }
    }
    throw new AssertionError("no environment " + name + " in " + list);
  }

  @Test
  @DisplayName("another environment broken: /v1/environments and /v1/info stay 200 with its error, it refuses to run, bare runs, ready")
  void anotherBroken() throws Exception {
    Files.createSymbolicLink(environments.resolve("bare"), Path.of("environments/bare").toAbsolutePath());
    broken("broken");
    String where = environments.resolve("broken/pyproject.toml") + ", line 4";
    try (TestServer server = TestServer.start(Map.of("environments_dir", environments.toString()))) {
      HttpResponse<String> listing = server.get("/v1/environments");
      assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
      JsonNode environments = TestServer.json(listing).path("environments");
      assertThat(named(environments, "broken").path("error").asText()).startsWith(where).contains("not valid TOML");
      assertThat(named(environments, "broken").path("ready").asBoolean()).isFalse();
      assertThat(named(environments, "bare").path("error").isNull()).isTrue();
      assertThat(named(environments, "bare").path("ready").asBoolean()).isTrue();
      HttpResponse<String> info = server.get("/v1/info");
      assertThat(info.statusCode()).as(info.body()).isEqualTo(200);

      HttpResponse<String> refused = server.post("/v1/execute", "{\"environment\": \"broken\", \"script\": \"print(1)\"}");
      assertThat(refused.body()).contains(where).contains("not valid TOML").doesNotContain("no virtual environment");
      assertThat(refused.statusCode()).isBetween(400, 599);
      HttpResponse<String> ran = server.post("/v1/execute", "{\"environment\": \"bare\", \"script\": \"print(6 * 7)\"}");
      assertThat(TestServer.json(ran).path("stdout").asText()).isEqualTo("42\n");

      HttpResponse<String> ready = server.get(HealthHandlers.READY_PATH);
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("the default environment broken: /health/ready is 503 and says why")
  void defaultBroken() throws Exception {
    broken("bare");
    try (TestServer server = TestServer.start(Map.of("environments_dir", environments.toString(), "warm_sandboxes", 0))) {
      HttpResponse<String> ready = server.get(HealthHandlers.READY_PATH);
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
      assertThat(ready.body()).contains("invalid").contains("line 4");
      assertThat(server.get("/v1/environments").statusCode()).isEqualTo(200);
    }
  }
}
