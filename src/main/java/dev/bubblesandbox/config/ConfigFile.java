package dev.bubblesandbox.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The YAML configuration file: the one place that finds it ({@link #locate}), for the CLI and the
 * server alike, and the CLI's reader of it. The server reads the file it located through
 * vertx-config's file store in the yaml format ({@code ServerConfig}), which rereads it while the
 * server runs; the CLI reads it here on every run without starting Vert.x. Both type the YAML as
 * SnakeYAML's constructor does ({@code YamlValuesTest}, {@code ServerConfigTest}).
 */
public final class ConfigFile {

  /**
   * Read when no {@code -c FILE} is given and it exists: {@code conf/config.yaml} of the install
   * directory, wherever the command is run from. A {@code -c FILE} the user typed stays relative
   * to the working directory.
   */
  public static final Path DEFAULT = InstallDirectory.path().resolve(Path.of("conf", "config.yaml"));

  private ConfigFile() {}

  /**
   * The file to read: {@code given} (which must exist), else {@link #DEFAULT} when it exists,
   * else none.
   *
   * @throws InvalidSettingException when {@code given} does not exist
   */
  public static Optional<Path> locate(Optional<Path> given) {
    if (given.isPresent()) {
      if (!Files.isRegularFile(given.get())) {
        throw new InvalidSettingException("Configuration file " + given.get() + " does not exist.");
      }
      return given;
    }
    return Optional.of(DEFAULT).filter(Files::isRegularFile);
  }

  /** The values of the file {@link #locate} finds, keyed like it; empty when there is none. */
  public static Map<String, Object> values(Optional<Path> given) {
    return locate(given).map(ConfigFile::read).orElseGet(Map::of);
  }

  /**
   * The file's settings by key, unvalidated: strings, numbers, booleans, lists, mappings with
   * string keys and nulls, so that they also pass as JSON; anything else YAML can type (a date)
   * as its text.
   */
  static Map<String, Object> read(Path file) {
    // SnakeYAML's parser alone (YamlValues), not Jackson's data binding nor SnakeYAML's
    // constructor: the CLI reads this file on every run, and starting either costs more than the
    // sandbox's own start-up.
    try (Reader reader = Files.newBufferedReader(file)) {
      Object document = YamlValues.read(reader);
      // An empty or comments-only file is a valid YAML document with no content: no settings.
      if (document == null) {
        return Map.of();
      }
      if (!(document instanceof Map<?, ?> map)) {
        throw new InvalidSettingException("Configuration file " + file
            + " is not a YAML mapping of setting names to values.");
      }
      Map<String, Object> values = new LinkedHashMap<>();
      map.forEach((key, value) -> values.put(String.valueOf(key), plain(value)));
      return values;
    } catch (IOException | YAMLException e) {
      String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new InvalidSettingException("Configuration file " + file + " is not a YAML mapping: " + message);
    }
  }

  private static Object plain(Object value) {
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(ConfigFile::plain).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> plain = new LinkedHashMap<>();
      map.forEach((key, item) -> plain.put(String.valueOf(key), plain(item)));
      return plain;
    }
    return value.toString();
  }
}
