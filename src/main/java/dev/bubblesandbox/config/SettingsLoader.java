package dev.bubblesandbox.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Builds {@link Settings} from layered sources, later ones winning: the defaults of
 * {@link SettingsTable}, the YAML file ({@link ConfigFile}), {@code BUBBLE_SANDBOX_*} environment
 * variables, {@code bubble-sandbox.*} system properties, then a command's own options. The CLI
 * layers them here, without Vert.x; the server layers the same sources, in the same order, as
 * vertx-config stores ({@code ServerConfig}), and both validate with {@link #fromMap}.
 *
 * <p>Each bad value fails with one line naming the setting; an unknown key in the YAML file fails
 * too, since that file is the user's own and a typo in it is a mistake to fix. An unknown
 * {@code BUBBLE_SANDBOX_*} variable or {@code bubble-sandbox.*} property is only warned about
 * ({@link #unknownVariables}): the environment is shared with other programs, whose variables (a
 * client's {@code BUBBLE_SANDBOX_URL}) must not stop every command.
 */
public final class SettingsLoader {

  public static final String ENV_PREFIX = "BUBBLE_SANDBOX_";
  public static final String PROPERTY_PREFIX = "bubble-sandbox.";

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
    return load(configFile, environment, new Properties());
  }

  /**
   * The settings of this process, as a command reads them: {@link #load(Optional, Map, Properties)}
   * of its environment variables and system properties, after telling {@code warnings} of each
   * such variable or property that names no setting.
   */
  public static Settings loadForProcess(Optional<Path> configFile, Consumer<String> warnings) {
    Map<String, String> environment = System.getenv();
    Properties properties = System.getProperties();
    unknownVariables(environment).forEach(warnings);
    unknownProperties(properties).forEach(warnings);
    return load(configFile, environment, properties);
  }

  /** {@link #load(Optional, Map)}, then the {@code bubble-sandbox.*} {@code properties} over them. */
  public static Settings load(Optional<Path> configFile, Map<String, String> environment, Properties properties) {
    return fromMap(values(configFile, environment, properties));
  }

  /** The merged raw values behind {@link #load}, for callers that override some of them. */
  public static Map<String, Object> values(Optional<Path> configFile, Map<String, String> environment) {
    return values(configFile, environment, new Properties());
  }

  /** The merged raw values: defaults, file, environment, then system properties. */
  public static Map<String, Object> values(Optional<Path> configFile, Map<String, String> environment,
      Properties properties) {
    Map<String, Object> values = defaultValues();
    values.putAll(ConfigFile.values(configFile));
    values.putAll(fromEnvironment(environment));
    values.putAll(fromProperties(properties));
    return values;
  }

  /**
   * The settings named by {@code bubble-sandbox.*} system properties, keyed like the YAML file;
   * a property that names no setting is left out ({@link #unknownProperties} says which).
   */
  public static Map<String, Object> fromProperties(Properties properties) {
    Map<String, Object> values = new LinkedHashMap<>();
    properties.stringPropertyNames().stream().sorted().forEach(name -> {
      if (name.startsWith(PROPERTY_PREFIX) && SettingsTable.byKey(name.substring(PROPERTY_PREFIX.length())).isPresent()) {
        values.put(name.substring(PROPERTY_PREFIX.length()), properties.getProperty(name));
      }
    });
    return values;
  }

  /** One warning per {@code bubble-sandbox.*} system property that names no setting, in name order. */
  public static List<String> unknownProperties(Properties properties) {
    List<String> keys = SettingsTable.ALL.stream().map(Setting::key).toList();
    return properties.stringPropertyNames().stream().sorted()
        .filter(name -> name.startsWith(PROPERTY_PREFIX)
            && SettingsTable.byKey(name.substring(PROPERTY_PREFIX.length())).isEmpty())
        .map(name -> "Ignoring system property " + name + ": it is not a setting"
            + ClosestName.to(name.substring(PROPERTY_PREFIX.length()), keys)
                .map(closest -> "; did you mean " + PROPERTY_PREFIX + closest + "?").orElse("."))
        .toList();
  }

  /**
   * The settings named by {@code BUBBLE_SANDBOX_*} variables, keyed like the YAML file; a
   * variable that names no setting is left out ({@link #unknownVariables} says which).
   */
  public static Map<String, Object> fromEnvironment(Map<String, String> environment) {
    Map<String, Object> values = new LinkedHashMap<>();
    environment.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX) && SettingsTable.byKey(key(name)).isPresent()) {
            values.put(key(name), value);
          }
        });
    return values;
  }

  /**
   * One warning per {@code BUBBLE_SANDBOX_*} variable that names no setting, in name order, with
   * the closest setting's variable when one is close: "did you mean ...?".
   */
  public static List<String> unknownVariables(Map<String, String> environment) {
    // Compared by key: the shared prefix would make any two variables look alike.
    List<String> keys = SettingsTable.ALL.stream().map(Setting::key).toList();
    return new TreeMap<>(environment).keySet().stream()
        .filter(name -> name.startsWith(ENV_PREFIX) && SettingsTable.byKey(key(name)).isEmpty())
        .map(name -> "Ignoring " + name + ": it is not a setting"
            + ClosestName.to(key(name), keys).map(closest -> "; did you mean " + Setting.variable(closest) + "?")
                .orElse(" (the settings are listed in docs/configuration.md)."))
        .toList();
  }

  private static String key(String variable) {
    return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
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
