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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsLoaderTest {

  @TempDir Path dir;

  private Path yaml(String content) throws IOException {
    return Files.writeString(dir.resolve("config.yaml"), content);
  }

  private Settings load(String yamlContent, Map<String, String> environment) throws IOException {
    return SettingsLoader.load(Optional.of(yaml(yamlContent)), environment);
  }

  @Test
  @DisplayName("the defaults are those of SPEC §6")
  void defaults() {
    Settings settings = Settings.defaults();

    assertThat(settings.environmentsDir()).isEqualTo(InstallDirectory.path().resolve("environments"));
    assertThat(settings.workspaceDir()).isEqualTo(InstallDirectory.path().resolve("workspace_data"));
    assertThat(settings.maxUploadSizeBytes()).isEqualTo(10_485_760L);
    assertThat(settings.allowedExtensions())
        .containsExactly(".txt", ".csv", ".md", ".json", ".yaml", ".yml", ".tsv", ".xml");
    assertThat(settings.executionTimeoutSeconds()).isEqualTo(30);
    assertThat(settings.sessionIdleTimeoutSeconds()).isEqualTo(3600);
    assertThat(settings.maxSessions()).isEqualTo(50);
    assertThat(settings.allowPersistentSessions()).isTrue();
    assertThat(settings.logLevel()).isEqualTo("INFO");
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.httpHost()).isEqualTo("127.0.0.1");
    assertThat(settings.maxOutputBytes()).isEqualTo(1_048_576L);
    assertThat(settings.sandboxUid()).isNotZero();
  }

  @Test
  @DisplayName("the YAML file overrides the defaults")
  void yamlOverridesDefaults() throws IOException {
    Settings settings = load("""
        max_sessions: 7
        allow_persistent_sessions: false
        allowed_extensions: [".csv", ".PNG"]
        log_level: debug
        """, Map.of());

    assertThat(settings.maxSessions()).isEqualTo(7);
    assertThat(settings.allowPersistentSessions()).isFalse();
    assertThat(settings.allowedExtensions()).containsExactly(".csv", ".png");
    assertThat(settings.logLevel()).isEqualTo("DEBUG");
    assertThat(settings.executionTimeoutSeconds()).isEqualTo(30);
  }

  @Test
  @DisplayName("BUBBLE_SANDBOX_* variables override the YAML file")
  void environmentOverridesYaml() throws IOException {
    Settings settings = load("max_sessions: 7\nhttp_port: 9000\n", Map.of(
        "BUBBLE_SANDBOX_MAX_SESSIONS", "9",
        "BUBBLE_SANDBOX_ALLOWED_EXTENSIONS", "[\".txt\"]",
        "BUBBLE_SANDBOX_ALLOW_PERSISTENT_SESSIONS", "false",
        "UNRELATED_VARIABLE", "ignored"));

    assertThat(settings.maxSessions()).isEqualTo(9);
    assertThat(settings.httpPort()).isEqualTo(9000);
    assertThat(settings.allowedExtensions()).containsExactly(".txt");
    assertThat(settings.allowPersistentSessions()).isFalse();
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "BUBBLE_SANDBOX_MAX_SESSIONS|abc|max_sessions",
      "BUBBLE_SANDBOX_MAX_SESSIONS|0|max_sessions",
      "BUBBLE_SANDBOX_MAX_SESSIONS|-3|max_sessions",
      "BUBBLE_SANDBOX_MAX_SESSIONS|4294967296|max_sessions",
      "BUBBLE_SANDBOX_MAX_OUTPUT_BYTES|1.5|max_output_bytes",
      "BUBBLE_SANDBOX_HTTP_PORT|70000|http_port",
      "BUBBLE_SANDBOX_ALLOW_PERSISTENT_SESSIONS|yes please|allow_persistent_sessions",
      "BUBBLE_SANDBOX_ALLOWED_EXTENSIONS|.txt,.csv|allowed_extensions",
      "BUBBLE_SANDBOX_ALLOWED_EXTENSIONS|[\"txt\"]|allowed_extensions",
      "BUBBLE_SANDBOX_LOG_LEVEL|LOUD|log_level",
      "BUBBLE_SANDBOX_HTTP_HOST|'   '|http_host"
  })
  @DisplayName("an invalid variable fails with a message naming the setting and its variable")
  void invalidVariable(String variable, String value, String setting) {
    assertThatThrownBy(() -> SettingsLoader.load(Optional.of(yaml("")), Map.of(variable, value)))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining(variable)
        .hasMessageContaining(value.strip());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "max_sessions: many|max_sessions",
      "max_sessions: 2.5|max_sessions",
      "allow_persistent_sessions: 3|allow_persistent_sessions",
      "allowed_extensions: 42|allowed_extensions",
      "execution_timeout_seconds: []|execution_timeout_seconds"
  })
  @DisplayName("an invalid YAML value fails with a message naming the setting and its variable")
  void invalidYamlValue(String line, String setting) {
    assertThatThrownBy(() -> load(line + "\n", Map.of()))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining("BUBBLE_SANDBOX_" + setting.toUpperCase(java.util.Locale.ROOT));
  }

  @Test
  @DisplayName("an unknown key in the file fails and names it with its variable")
  void unknownYamlKey() {
    assertThatThrownBy(() -> load("max_sesions: 3\n", Map.of()))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("max_sesions")
        .hasMessageContaining("BUBBLE_SANDBOX_MAX_SESIONS")
        .hasMessageContaining("max_sessions");
  }

  @Test
  @DisplayName("an unknown BUBBLE_SANDBOX_ variable is ignored, not refused: another program's (a client's URL) must not stop every command")
  void unknownVariableIgnored() throws IOException {
    Settings settings = load("", Map.of("BUBBLE_SANDBOX_MAX_SESION", "3", "BUBBLE_SANDBOX_URL", "http://x",
        "BUBBLE_SANDBOX_MAX_SESSIONS", "4"));

    assertThat(settings.maxSessions()).isEqualTo(4);
    assertThat(SettingsLoader.fromEnvironment(Map.of("BUBBLE_SANDBOX_URL", "http://x"))).isEmpty();
  }

  @Test
  @DisplayName("each unknown BUBBLE_SANDBOX_ variable gets one warning, with the setting it was close to")
  void unknownVariableWarnings() {
    assertThat(SettingsLoader.unknownVariables(Map.of("BUBBLE_SANDBOX_MAX_SESION", "3",
        "BUBBLE_SANDBOX_URL", "http://x", "BUBBLE_SANDBOX_HTTP_PORT", "1", "OTHER_URL", "y")))
        .containsExactly(
            "Ignoring BUBBLE_SANDBOX_MAX_SESION: it is not a setting; did you mean BUBBLE_SANDBOX_MAX_SESSIONS?",
            "Ignoring BUBBLE_SANDBOX_URL: it is not a setting (the settings are listed in docs/configuration.md).");
  }

  @Test
  @DisplayName("relative paths resolve against the install directory, absolute ones stay; the default file is the install directory's")
  void relativePaths() throws IOException {
    Settings settings = load("environments_dir: envs\nworkspace_dir: /srv/data\n",
        Map.of("BUBBLE_SANDBOX_CLUSTER_TLS_DIR", "certs/node-1"));

    assertThat(settings.environmentsDir()).isEqualTo(InstallDirectory.path().resolve("envs"));
    assertThat(settings.workspaceDir()).isEqualTo(Path.of("/srv/data"));
    assertThat(settings.clusterTlsDir()).isEqualTo(InstallDirectory.path().resolve("certs/node-1").toString());
    assertThat(Settings.defaults().clusterTlsDir()).isEmpty();
    assertThat(ConfigFile.DEFAULT).isEqualTo(InstallDirectory.path().resolve("conf/config.yaml"));
  }

  @Test
  @DisplayName("a configuration file that does not exist fails with one clear line")
  void missingFile() {
    Path missing = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> SettingsLoader.load(Optional.of(missing), Map.of()))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

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
