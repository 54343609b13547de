package dev.bubblesandbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings table against the YAML file, the environment and {@link Settings};
 * {@code ConfigurationPageTest} holds {@code docs/configuration.md} to it.
 */
class SettingsTableTest {

  private static final Path PROJECT = Path.of("").toAbsolutePath();

  /** A valid value other than the default, as YAML and as a variable, and what it parses to. */
  private record Sample(String yaml, String variable, Object expected) {}

  /** One per setting (checked): adding a setting without a sample fails the tests below. */
  private static final Map<String, Sample> SAMPLES = samples();

  /** One invalid raw value per setting (checked like the samples). */
  private static final Map<String, String> INVALID = Map.ofEntries(
      Map.entry("environments_dir", " "),
      Map.entry("workspace_dir", ""),
      Map.entry("max_upload_size_bytes", "ten"),
      Map.entry("allowed_extensions", "[\"csv\"]"),
      Map.entry("execution_timeout_seconds", "0"),
      Map.entry("session_idle_timeout_seconds", "-1"),
      Map.entry("max_sessions", "2147483648"),
      Map.entry("allow_persistent_sessions", "maybe"),
      Map.entry("log_level", "LOUD"),
      Map.entry("http_port", "65536"),
      Map.entry("http_host", "  "),
      Map.entry("max_output_bytes", "1.5"),
      Map.entry("tmpfs_size_bytes", "64M"),
      Map.entry("sandbox_uid", "root"),
      Map.entry("python", ""),
      Map.entry("shutdown_grace_seconds", "0"),
      Map.entry("memory_limit_bytes", "-5"),
      Map.entry("pids_limit", "many"),
      Map.entry("cpu_limit", "0"),
      Map.entry("allow_unlimited", "yes"),
      Map.entry("api_key", "too-short"),
      Map.entry("api_keys", "[{\"tenant\": \"a b\", \"key_sha256\": \"00\"}]"),
      Map.entry("allow_unauthenticated", "maybe"),
      Map.entry("allowed_hosts", "[\"evil.example:80\"]"),
      Map.entry("max_workspace_bytes", "0"),
      Map.entry("cors_allowed_origins", "[\"console.example.com\"]"),
      Map.entry("websocket_messages_per_second", "fast"),
      Map.entry("cluster_enabled", "on"),
      Map.entry("cluster_host", " "),
      Map.entry("cluster_port", "0"),
      Map.entry("cluster_members", "10.0.0.5"),
      Map.entry("cluster_kubernetes_service_dns", "not a name!"),
      Map.entry("cluster_name", "a cluster"),
      Map.entry("cluster_secret", "short-secret-1234"),
      Map.entry("cluster_tls_dir", "certs\tdir"),
      Map.entry("cluster_bus_port", "0"),
      Map.entry("cluster_http_port", "70000"),
      Map.entry("warm_sandboxes", "-1"),
      Map.entry("warm_sandboxes_other_environments", "many"),
      Map.entry("warm_sandboxes_memory_bytes", "0"),
      Map.entry("warm_session_sandboxes", "1.5"),
      Map.entry("max_inline_result_bytes", "0"),
      Map.entry("kernel_interrupt_grace_ms", "2s"),
      Map.entry("config_scan_period_ms", "5s"));

  @TempDir Path dir;

  private static Map<String, Sample> samples() {
    Map<String, Sample> samples = new LinkedHashMap<>();
    samples.put("environments_dir", new Sample("/srv/envs", "/srv/envs", Path.of("/srv/envs")));
    samples.put("workspace_dir", new Sample("/srv/data", "/srv/data", Path.of("/srv/data")));
    samples.put("max_upload_size_bytes", new Sample("2048", "2048", 2048L));
    samples.put("allowed_extensions", new Sample("[\".CSV\", \".png\"]", "[\".CSV\", \".png\"]", List.of(".csv", ".png")));
    samples.put("execution_timeout_seconds", new Sample("31", "31", 31));
    samples.put("session_idle_timeout_seconds", new Sample("61", "61", 61));
    samples.put("max_sessions", new Sample("7", "7", 7));
    samples.put("allow_persistent_sessions", new Sample("false", "FALSE", false));
    samples.put("log_level", new Sample("debug", " Debug ", "DEBUG"));
    samples.put("http_port", new Sample("0", "0", 0));
    samples.put("http_host", new Sample("0.0.0.0", "0.0.0.0", "0.0.0.0"));
    samples.put("max_output_bytes", new Sample("4096", "4096", 4096L));
    samples.put("tmpfs_size_bytes", new Sample("8192", "8192", 8192L));
    samples.put("sandbox_uid", new Sample("65000", "65000", 65_000));
    samples.put("python", new Sample("/opt/python/bin/python3", "/opt/python/bin/python3", "/opt/python/bin/python3"));
    samples.put("shutdown_grace_seconds", new Sample("3", "3", 3));
    samples.put("memory_limit_bytes", new Sample("268435456", "268435456", 268_435_456L));
    samples.put("pids_limit", new Sample("64", "64", 64));
    samples.put("cpu_limit", new Sample("0.5", "0.5", 0.5));
    samples.put("allow_unlimited", new Sample("true", "true", true));
    samples.put("api_key", new Sample("\"0123456789abcdef\"", "0123456789abcdef", "0123456789abcdef"));
    String digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    samples.put("api_keys", new Sample("[{tenant: team-a, key_sha256: " + digest + ", max_sessions: 3}]",
        "[{\"tenant\": \"team-a\", \"key_sha256\": \"" + digest.toUpperCase(java.util.Locale.ROOT) + "\", \"max_sessions\": 3}]",
        List.of(new ApiKey("team-a", digest, 3))));
    samples.put("allow_unauthenticated", new Sample("true", "true", true));
    samples.put("allowed_hosts", new Sample("[sandbox.example.com, \"[::1]\"]", "[\"Sandbox.example.com\", \"[::1]\"]",
        List.of("sandbox.example.com", "[::1]")));
    samples.put("max_workspace_bytes", new Sample("1048576", "1048576", 1_048_576L));
    samples.put("cors_allowed_origins", new Sample("[\"https://console.example.com\"]",
        "[\"https://console.example.com\"]", List.of("https://console.example.com")));
    samples.put("websocket_messages_per_second", new Sample("5", "5", 5));
    samples.put("cluster_enabled", new Sample("true", "True", true));
    samples.put("cluster_host", new Sample("10.0.0.5", "10.0.0.5", "10.0.0.5"));
    samples.put("cluster_port", new Sample("5702", "5702", 5702));
    samples.put("cluster_members", new Sample("\"10.0.0.5:5701, 10.0.0.6:5701\"", "10.0.0.5:5701,10.0.0.6:5701",
        List.of("10.0.0.5:5701", "10.0.0.6:5701")));
    samples.put("cluster_kubernetes_service_dns", new Sample("bubble-sandbox-hs.default.svc.cluster.local",
        "bubble-sandbox-hs.default.svc.cluster.local", "bubble-sandbox-hs.default.svc.cluster.local"));
    samples.put("cluster_name", new Sample("team-a", "team-a", "team-a"));
    samples.put("cluster_secret", new Sample("\"0123456789abcdef0123456789abcdef\"", "0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef"));
    samples.put("cluster_tls_dir", new Sample("/etc/bubble-sandbox/cluster", "/etc/bubble-sandbox/cluster",
        "/etc/bubble-sandbox/cluster"));
    samples.put("cluster_bus_port", new Sample("5800", "5800", 5800));
    samples.put("cluster_http_port", new Sample("9443", "9443", 9443));
    samples.put("warm_sandboxes", new Sample("4", "4", 4));
    samples.put("warm_sandboxes_other_environments", new Sample("9", "9", 9));
    samples.put("warm_sandboxes_memory_bytes", new Sample("33554432", "33554432", 33_554_432L));
    samples.put("warm_session_sandboxes", new Sample("12", "12", 12));
    samples.put("max_inline_result_bytes", new Sample("65536", "65536", 65_536L));
    samples.put("kernel_interrupt_grace_ms", new Sample("750", "750", 750));
    samples.put("config_scan_period_ms", new Sample("250", "250", 250));
    return samples;
  }

  private static List<String> keys() {
    return SettingsTable.ALL.stream().map(Setting::key).toList();
  }

  @Test
  @DisplayName("every setting has a unique snake_case key, a description, and a default its parser accepts")
  void tableIsWellFormed() {
    assertThat(keys()).doesNotHaveDuplicates().allMatch(key -> key.matches("[a-z][a-z0-9_]*"));
    for (Setting<?> setting : SettingsTable.ALL) {
      assertThat(setting.description()).as(setting.key()).isNotBlank().doesNotContain("|", "<", "\n");
      assertThat(setting.parse(setting.defaultValue())).as(setting.key()).isNotNull();
      assertThat(setting.variable()).isEqualTo("BUBBLE_SANDBOX_" + setting.key().toUpperCase(Locale.ROOT));
    }
  }

  @Test
  @DisplayName("a setting says in its description whether a running server reloads it, and only then")
  void reloadingSettingsSaySo() {
    for (Setting<?> setting : SettingsTable.ALL) {
      assertThat(setting.description().endsWith(SettingsTable.RELOADS)).as(setting.key()).isEqualTo(setting.reloads());
    }
    // Those a listening socket, the data on disk or a cluster membership were made from never reload.
    assertThat(SettingsTable.ALL.stream().filter(Setting::reloads).map(Setting::key)).containsExactlyInAnyOrder(
        "execution_timeout_seconds", "max_sessions", "log_level", "max_output_bytes", "memory_limit_bytes",
        "pids_limit", "cpu_limit", "api_key", "api_keys", "warm_sandboxes", "warm_sandboxes_other_environments",
        "warm_sandboxes_memory_bytes", "warm_session_sandboxes");
  }

  @Test
  @DisplayName("conf/config.yaml holds every setting of the table, no other key, each at its default")
  void yamlFileMatchesTable() throws IOException {
    Path file = PROJECT.resolve("conf/config.yaml");
    Map<String, Object> yaml = ConfigFile.read(file);

    assertThat(yaml.keySet()).containsExactlyInAnyOrderElementsOf(keys());
    for (Setting<?> setting : SettingsTable.ALL) {
      // python's default is /usr/bin/python3 where it exists (every host this runs on), else python3.
      assertThat(setting.parse(yaml.get(setting.key())))
          .as("conf/config.yaml's %s", setting.key())
          .isEqualTo(setting.parse(setting.defaultValue()));
    }
    // A comment after a value, where there is one, is the table's description.
    Pattern commented = Pattern.compile("^([a-z_]+): .*?\\s+# (.*)$");
    for (String line : Files.readAllLines(file)) {
      Matcher matcher = commented.matcher(line);
      if (matcher.matches()) {
        assertThat(matcher.group(2)).as("the comment of %s", matcher.group(1))
            .isEqualTo(SettingsTable.byKey(matcher.group(1)).orElseThrow().description());
      }
    }
  }

  @Test
  @DisplayName("every setting is read from the YAML file and from its BUBBLE_SANDBOX_ variable")
  void everySettingFromYamlAndEnvironment() throws IOException {
    assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(keys());
    for (Setting<?> setting : SettingsTable.ALL) {
      Sample sample = SAMPLES.get(setting.key());
      Path file = Files.writeString(dir.resolve("config.yaml"), setting.key() + ": " + sample.yaml() + "\n");

      Object fromYaml = SettingsLoader.load(Optional.of(file), Map.of()).get(setting);
      Object fromVariable = SettingsLoader.load(Optional.empty(), Map.of(setting.variable(), sample.variable()))
          .get(setting);

      assertThat(fromYaml).as("%s from YAML", setting.key()).isEqualTo(sample.expected());
      assertThat(fromVariable).as("%s from %s", setting.key(), setting.variable()).isEqualTo(sample.expected());
      assertThat(fromYaml).as("%s's sample differs from its default", setting.key())
          .isNotEqualTo(Settings.defaults().get(setting));
    }
  }

  @Test
  @DisplayName("an invalid value of any setting fails with one line naming the setting and its variable")
  void everySettingRefusesInvalidValues() throws IOException {
    assertThat(INVALID.keySet()).containsExactlyInAnyOrderElementsOf(keys());
    for (Setting<?> setting : SettingsTable.ALL) {
      String invalid = INVALID.get(setting.key());
      assertThatThrownBy(() -> SettingsLoader.load(Optional.empty(), Map.of(setting.variable(), invalid)))
          .as("%s=%s", setting.variable(), invalid)
          .isInstanceOf(InvalidSettingException.class)
          .hasMessageStartingWith("Invalid setting " + setting.key() + " (" + setting.variable() + "): expected ")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
      Path file = Files.writeString(dir.resolve("config.yaml"), setting.key() + ": '" + invalid + "'\n");
      assertThatThrownBy(() -> SettingsLoader.load(Optional.of(file), Map.of()))
          .as("%s: '%s' in YAML", setting.key(), invalid)
          .isInstanceOf(InvalidSettingException.class)
          .hasMessageStartingWith("Invalid setting " + setting.key() + " (" + setting.variable() + "): expected ");
    }
  }

  @Test
  @DisplayName("the API key is never echoed, not even when refused")
  void secretNotEchoed() {
    assertThatThrownBy(() -> SettingsLoader.load(Optional.empty(), Map.of("BUBBLE_SANDBOX_API_KEY", "hunter2")))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("api_key")
        .hasMessageContaining("the value is not shown")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    assertThat(SettingsLoader.load(Optional.empty(), Map.of("BUBBLE_SANDBOX_API_KEY", "0123456789abcdef"))
        .toString()).doesNotContain("0123456789abcdef");
  }

  @Test
  @DisplayName("every setting has the accessor named after its key, returning its value")
  void accessorsFollowTheTable() throws Exception {
    Map<String, Object> raw = new LinkedHashMap<>();
    SAMPLES.forEach((key, sample) -> raw.put(key, sample.variable()));
    Settings settings = SettingsLoader.fromMap(raw);
    List<String> accessors = Arrays.stream(Settings.class.getDeclaredMethods())
        .filter(method -> method.getParameterCount() == 0 && Modifier.isPublic(method.getModifiers())
            && !Modifier.isStatic(method.getModifiers()))
        .map(Method::getName)
        .filter(name -> !List.of("hashCode", "toString").contains(name))
        .sorted().toList();

    assertThat(accessors).containsExactlyInAnyOrderElementsOf(keys().stream().map(SettingsTableTest::camel).toList());
    for (Setting<?> setting : SettingsTable.ALL) {
      Object value = Settings.class.getMethod(camel(setting.key())).invoke(settings);
      assertThat(value).as(camel(setting.key())).isEqualTo(settings.get(setting));
    }
    // Distinct samples of one type, so that an accessor wired to another setting shows; a
    // boolean has two values only, so each boolean is flipped alone against the defaults.
    Map<Object, List<String>> byValue = SettingsTable.ALL.stream()
        .filter(setting -> !(settings.get(setting) instanceof Boolean))
        .collect(Collectors.groupingBy(settings::get, Collectors.mapping(Setting::key, Collectors.toList())));
    assertThat(byValue.values()).allMatch(group -> group.size() == 1);
    List<Setting<?>> booleans = SettingsTable.ALL.stream()
        .filter(setting -> setting.defaultValue() instanceof Boolean).toList();
    for (Setting<?> flipped : booleans) {
      Settings one = SettingsLoader.fromMap(Map.of(flipped.key(), !(Boolean) flipped.defaultValue()));
      for (Setting<?> setting : booleans) {
        boolean expected = setting == flipped ? !(Boolean) setting.defaultValue() : (Boolean) setting.defaultValue();
        assertThat(Settings.class.getMethod(camel(setting.key())).invoke(one))
            .as("%s with only %s flipped", camel(setting.key()), flipped.key()).isEqualTo(expected);
      }
    }
  }

  @Test
  @DisplayName("a setting left out of the values gets its default")
  void missingKeysGetDefaults() {
    Settings settings = SettingsLoader.fromMap(Map.of("max_sessions", 3));

    assertThat(settings.maxSessions()).isEqualTo(3);
    assertThat(settings.httpHost()).isEqualTo("127.0.0.1");
    assertThat(settings).isEqualTo(SettingsLoader.fromMap(Map.of("max_sessions", "3")));
    assertThat(settings).isNotEqualTo(Settings.defaults());
  }

  private static String camel(String key) {
    String[] parts = key.split("_");
    StringBuilder name = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      name.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
    }
    return name.toString();
  }
}
