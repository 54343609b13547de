package dev.bubblesandbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsLoaderTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "# every setting commented out\n# max_sessions: 5\n", "---\n"})
  @DisplayName("an empty or comments-only configuration file gives the defaults")
  void emptyFile(String content) throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"), content);

    assertThat(SettingsLoader.load(Optional.of(file), Map.of())).isEqualTo(Settings.defaults());
  }

  @Test
  @DisplayName("a configuration file that is a list, not a mapping, fails with one clear line")
  void notAMapping() throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"), "- a\n- b\n");

    assertThatThrownBy(() -> SettingsLoader.load(Optional.of(file), Map.of()))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not a YAML mapping")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"18446744073709551621", "9223372036854775808", "2.5", "1e3"})
  @DisplayName("a YAML number that is not a whole number in the long range is refused, not wrapped or cut")
  void numberOutOfRange(String number) throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"), "max_output_bytes: " + number + "\n");

    assertThatThrownBy(() -> SettingsLoader.load(Optional.of(file), Map.of()))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("max_output_bytes")
        .hasMessageContaining("BUBBLE_SANDBOX_MAX_OUTPUT_BYTES");
  }
}
