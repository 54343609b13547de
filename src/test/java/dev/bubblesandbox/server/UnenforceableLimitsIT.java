package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A host that cannot enforce the limits, stood in for by a runner without them: the server
 * refuses to start unless the operator allowed it, and then says what is not enforced.
 */
class UnenforceableLimitsIT {

  private static final SandboxRunner UNLIMITED =
      SandboxRunner.createWithoutLimits(SandboxUser.forCurrentProcess(Settings.defaults().sandboxUid()));

  @Test
  @DisplayName("ExecutionLimits that cannot be enforced stop the server from starting, naming them and the setting")
  void refusesToStart() throws Exception {
    Path workspace = workspace();
    try {
      assertThatThrownBy(() -> TestServer.start(workspace, Map.of(), UNLIMITED))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(SandboxUnavailableException.class)
          .hasMessageContaining("cpu, memory, pids")
          .hasMessageContaining("BUBBLE_SANDBOX_ALLOW_UNLIMITED=true");
    } finally {
      HostFiles.deleteRecursively(workspace);
    }
  }

  @Test
  @DisplayName("With allow_unlimited it starts, runs code, and /v1/info shows no mechanism and no limits")
  void startsWhenAllowed() throws Exception {
    try (TestServer server = TestServer.start(workspace(), Map.of("allow_unlimited", true), UNLIMITED)) {
      JsonNode limits = TestServer.json(server.get("/v1/info")).get("limits");
      assertThat(limits.get("mechanism").asText()).isEqualTo("none");
      assertThat(limits.get("memory_bytes").isNull()).isTrue();
      assertThat(limits.get("pids").isNull()).isTrue();
      assertThat(limits.get("cpus").isNull()).isTrue();
      JsonNode result = TestServer.json(server.post("/v1/execute", TestServer.script("print(6 * 7)")));
      assertThat(result.get("stdout").asText()).isEqualTo("42\n");
    }
  }

  private static Path workspace() throws Exception {
    return Files.createTempDirectory("bubble-sandbox-test-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
  }
}
