package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.config.Setting;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a running server takes from its edited configuration file, and what waits for a restart. */
class SettingsReloadTest {

  private static final String OLD_KEY = "0123456789abcdef-old";
  private static final String NEW_KEY = "0123456789abcdef-new";

  @Test
  @DisplayName("keys, limits, max_sessions, warm pool sizes and the log level are taken; the rest waits for a restart")
  void safeSettingsAreTaken() {
    Settings current = SettingsLoader.fromMap(Map.of("api_key", OLD_KEY));
    Settings next = SettingsLoader.fromMap(Map.ofEntries(
        Map.entry("api_key", NEW_KEY),
        Map.entry("max_sessions", 3),
        Map.entry("execution_timeout_seconds", 5),
        Map.entry("memory_limit_bytes", 268_435_456L),
        Map.entry("warm_sandboxes", 0),
        Map.entry("log_level", "DEBUG"),
        Map.entry("http_port", 9999),
        Map.entry("workspace_dir", "elsewhere"),
        Map.entry("max_workspace_bytes", 1_048_576L),
        Map.entry("config_scan_period_ms", 100)));

    Settings taken = SettingsReload.inForce(current, next);

    assertThat(taken.changedFrom(current).stream().map(Setting::key)).containsExactlyInAnyOrder(
        "api_key", "max_sessions", "execution_timeout_seconds", "memory_limit_bytes", "warm_sandboxes", "log_level");
    assertThat(taken.apiKey()).isEqualTo(NEW_KEY);
    assertThat(taken.maxSessions()).isEqualTo(3);
    assertThat(next.changedFrom(taken).stream().map(Setting::key)).containsExactlyInAnyOrder(
        "http_port", "workspace_dir", "max_workspace_bytes", "config_scan_period_ms");
    assertThat(taken.httpPort()).isEqualTo(current.httpPort());
  }

  @Test
  @DisplayName("keys are replaced while the server runs, but turned on or off only by a restart")
  void keysAreNotTurnedOnOrOff() {
    Settings keyless = Settings.defaults();
    Settings keyed = SettingsLoader.fromMap(Map.of("api_key", OLD_KEY, "max_sessions", 3));

    assertThat(SettingsReload.inForce(keyless, keyed).apiKey()).isEmpty();
    assertThat(SettingsReload.inForce(keyless, keyed).maxSessions()).isEqualTo(3);
    assertThat(SettingsReload.inForce(keyed, keyless).apiKey()).isEqualTo(OLD_KEY);
    assertThat(SettingsReload.inForce(keyed, keyless).maxSessions()).isEqualTo(Settings.defaults().maxSessions());
  }
}
