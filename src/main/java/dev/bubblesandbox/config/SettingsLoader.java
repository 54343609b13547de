package dev.bubblesandbox.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds {@link Settings} from layered sources, later ones winning: the defaults of
 * {@link SettingsTable}, the YAML file ({@link ConfigFile}), then {@code BUBBLE_SANDBOX_*}
 * environment variables. Each bad value fails with one line naming the setting; an unknown key
 * or {@code BUBBLE_SANDBOX_*} variable fails too, so that a typo is not silently ignored.
 */
public final class SettingsLoader {

  public static final String ENV_PREFIX = "BUBBLE_SANDBOX_";

  private SettingsLoader() {}

  /** The built-in defaults, keyed like the YAML file, in table order. */
  public static Map<String, Object> defaultValues() {
    Map<String, Object> values = new LinkedHashMap<>();
    SettingsTable.ALL.forEach(setting -> values.put(setting.key(), setting.defaultValue()));
    return values;
  }

  /**
   * Loads the settings the way the CLI does: defaults, then {@code configFile} (or
   * {@code conf/config.yaml} when it exists), then {@code environment}.
   */
  public static Settings load(Optional<Path> configFile, Map<String, String> environment) {
    return fromMap(values(configFile, environment));
  }

  /** The merged raw values behind {@link #load}, for callers that override some of them. */
  public static Map<String, Object> values(Optional<Path> configFile, Map<String, String> environment) {
    Map<String, Object> values = defaultValues();
    values.putAll(ConfigFile.values(configFile));
    values.putAll(fromEnvironment(environment));
    return values;
  }

  /**
   * The settings named by {@code BUBBLE_SANDBOX_*} variables, keyed like the YAML file; an
   * unknown one is kept under its own key, so that {@link #fromMap} refuses it by name.
   */
  public static Map<String, Object> fromEnvironment(Map<String, String> environment) {
    Map<String, Object> values = new LinkedHashMap<>();
    environment.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX)) {
            values.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT), value);
          }
        });
    return values;
  }

  /**
   * Validates raw values keyed like the YAML file; a key without a value gets its default.
   *
   * @throws InvalidSettingException naming the first invalid setting, or an unknown key
   */
  public static Settings fromMap(Map<String, ?> values) {
    return Settings.parse(values);
  }
}
