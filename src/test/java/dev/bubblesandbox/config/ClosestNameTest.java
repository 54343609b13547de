package dev.bubblesandbox.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClosestNameTest {

  private static final List<String> COMMANDS = List.of("list-environments", "execute-python", "exec-script",
      "exec-command", "execute", "sync-environments", "doctor", "serve", "cluster-certs");

  @Test
  @DisplayName("a swap of two letters counts one edit: exec-pyhton means execute-python")
  void typos() {
    assertThat(ClosestName.distance("pyhton", "python")).isEqualTo(1);
    assertThat(ClosestName.to("exec-pyhton", COMMANDS)).contains("execute-python");
    assertThat(ClosestName.to("serv", COMMANDS)).contains("serve");
    assertThat(ClosestName.to("max_sesion", List.of("max_sessions", "max_output_bytes"))).contains("max_sessions");
  }

  @Test
  @DisplayName("nothing when no name is close: no hint beats a misleading one")
  void farAway() {
    assertThat(ClosestName.to("frobnicate", COMMANDS)).isEmpty();
    assertThat(ClosestName.to("url", List.of("python", "api_key", "http_host"))).isEmpty();
  }
}
