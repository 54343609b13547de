package dev.bubblesandbox.config;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One setting: its key (as in {@code conf/config.yaml}), its built-in default (written as the
 * YAML file writes it), the parser that validates a raw value, a one-line description, and
 * whether a running server takes a new value from its edited file ({@code reloads}) or needs a
 * restart for it. Its environment variable and system property are derived from the key.
 * Declared once, in {@link SettingsTable}.
 *
 * @param <T> the validated type
 */
public record Setting<T>(String key, Object defaultValue, SettingParser<T> parser, String description,
    boolean reloads) {

  /** {@code BUBBLE_SANDBOX_} and the key in upper case. */
  public String variable() {
    return variable(key);
  }

  /** {@code bubble-sandbox.} and the key: {@code java -Dbubble-sandbox.max_sessions=3 ...}. */
  public String property() {
    return SettingsLoader.PROPERTY_PREFIX + key;
  }

  static String variable(String key) {
    return SettingsLoader.ENV_PREFIX + key.toUpperCase(Locale.ROOT);
  }

  /** The key and its variable, as every message about a setting names it. */
  static String describe(String key) {
    return key + " (" + variable(key) + ")";
  }

  /**
   * Validates a raw value: typed from YAML, always a string from the environment.
   *
   * @throws InvalidSettingException with one line naming the setting, its variable and the value
   */
  public T parse(Object raw) {
    try {
      return parser.parse(raw);
    } catch (SettingParser.Rejected rejected) {
      String shown = rejected.hidesValue() ? " (the value is not shown)." : ", got '" + raw + "'.";
      throw new InvalidSettingException(
          "Invalid setting " + describe(key) + ": expected " + rejected.expected() + shown);
    }
  }

  /** The default as the YAML file and docs/configuration.md write it: lists in JSON form, "" when empty. */
  public String defaultText() {
    if (defaultValue instanceof List<?> list) {
      return list.stream().map(item -> "\"" + item + "\"").collect(Collectors.joining(", ", "[", "]"));
    }
    String text = String.valueOf(defaultValue);
    return text.isEmpty() ? "\"\"" : text;
  }
}
