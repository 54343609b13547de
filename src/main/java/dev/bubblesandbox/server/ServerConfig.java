package dev.bubblesandbox.server;

import dev.bubblesandbox.config.ConfigFile;
import dev.bubblesandbox.config.InvalidSettingException;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import dev.bubblesandbox.config.TrustChecks;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the server's settings with a vertx-config {@link ConfigRetriever}, later stores winning:
 * the YAML file ({@code -c FILE} or {@code conf/config.yaml}; vertx-config-yaml), the
 * {@code BUBBLE_SANDBOX_*} environment variables, the {@code bubble-sandbox.*} system properties
 * ({@link SettingStores}), then the command line's overrides. A setting in none of them gets its
 * default from {@link dev.bubblesandbox.config.SettingsTable}, and the merged values are
 * validated by {@link SettingsLoader#fromMap}, as the CLI's are: the CLI layers the same sources
 * in the same order without Vert.x ({@link SettingsLoader#values}), since starting Vert.x would
 * cost a one-shot command more than its sandbox.
 *
 * <p>{@link #watch} keeps the retriever and rereads the file every {@code config_scan_period_ms}
 * (a Kubernetes ConfigMap is updated in place); {@link SettingsReload} applies what may change
 * without a restart.
 */
public final class ServerConfig {

  private static final Logger logger = LoggerFactory.getLogger(ServerConfig.class);

  /**
   * Where the settings come from, lowest precedence first.
   *
   * @param file the located YAML file; empty: none
   * @param environment variables standing in for the process's own (tests); empty: the process's
   * @param properties system properties standing in for the process's own (tests); empty: the process's
   * @param overrides the command line's options, keyed like the file
   */
  record Sources(Optional<Path> file, Optional<Map<String, String>> environment,
      Optional<Properties> properties, Map<String, Object> overrides) {

    /** The file's path, for messages. */
    String fileName() {
      return file.map(Path::toString).orElse("(none)");
    }
  }

  private ServerConfig() {}

  /** Reads the settings once, from the process's own environment and system properties. */
  public static Future<Settings> load(Vertx vertx, Optional<Path> configFile, Map<String, Object> overrides) {
    return sources(vertx, configFile, Optional.empty(), Optional.empty(), overrides)
        .compose(sources -> read(vertx, sources));
  }

  static Future<Settings> load(Vertx vertx, Optional<Path> configFile, Map<String, String> environment,
      Map<String, Object> overrides) {
    return load(vertx, configFile, environment, new Properties(), overrides);
  }

  static Future<Settings> load(Vertx vertx, Optional<Path> configFile, Map<String, String> environment,
      Properties properties, Map<String, Object> overrides) {
    return sources(vertx, configFile, Optional.of(environment), Optional.of(properties), overrides)
        .compose(sources -> read(vertx, sources));
  }

  /**
   * Locates the file (a disk read: off the event loop) and warns once about each
   * {@code BUBBLE_SANDBOX_*} variable or {@code bubble-sandbox.*} property that names no setting.
   */
  static Future<Sources> sources(Vertx vertx, Optional<Path> configFile, Optional<Map<String, String>> environment,
      Optional<Properties> properties, Map<String, Object> overrides) {
    SettingsLoader.unknownVariables(environment.orElseGet(System::getenv)).forEach(logger::warn);
    SettingsLoader.unknownProperties(properties.orElseGet(System::getProperties)).forEach(logger::warn);
    return vertx.executeBlocking(() -> new Sources(ConfigFile.locate(configFile), environment, properties,
        Map.copyOf(overrides)));
  }

  /** The settings {@code sources} give now, read once. */
  static Future<Settings> read(Vertx vertx, Sources sources) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options(sources, 0));
    return retriever.getConfig().eventually(retriever::close)
        .recover(failure -> Future.failedFuture(refusal(sources.fileName(), failure)))
        .map(ServerConfig::settings);
  }

  /**
   * A retriever that rereads {@code sources} every {@code scanPeriodMillis} and streams each new
   * valid configuration ({@link ConfigRetriever#configStream}); a file that does not give valid
   * settings that pass {@link TrustChecks} fails the stream instead, and the previous
   * configuration stays the retriever's.
   */
  static ConfigRetriever watch(Vertx vertx, Sources sources, long scanPeriodMillis) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options(sources, scanPeriodMillis));
    retriever.setConfigurationProcessor(config -> {
      // Thrown here, a refusal never becomes the retriever's configuration.
      TrustChecks.check(settings(config));
      return config;
    });
    return retriever;
  }

  private static ConfigRetrieverOptions options(Sources sources, long scanPeriodMillis) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false)
        .setScanPeriod(scanPeriodMillis);
    sources.file().ifPresent(file -> options.addStore(new ConfigStoreOptions().setType("file")
        .setFormat("yaml").setConfig(new JsonObject().put("path", file.toString()))));
    JsonObject variables = new JsonObject().put("source", "env");
    sources.environment().ifPresent(given -> variables.put("values", new JsonObject(new LinkedHashMap<>(given))));
    JsonObject properties = new JsonObject().put("source", "sys");
    sources.properties().ifPresent(given -> {
      JsonObject values = new JsonObject();
      given.stringPropertyNames().forEach(name -> values.put(name, given.getProperty(name)));
      properties.put("values", values);
    });
    return options
        .addStore(new ConfigStoreOptions().setType(SettingStores.TYPE).setConfig(variables))
        .addStore(new ConfigStoreOptions().setType(SettingStores.TYPE).setConfig(properties))
        .addStore(new ConfigStoreOptions().setType("json")
            .setConfig(new JsonObject(new LinkedHashMap<>(sources.overrides()))));
  }

  /**
   * The settings of a merged configuration.
   *
   * @throws InvalidSettingException as {@link SettingsLoader#fromMap} does
   */
  static Settings settings(JsonObject config) {
    Map<String, Object> values = new LinkedHashMap<>();
    config.getMap().forEach((key, value) -> values.put(key, plain(value)));
    return SettingsLoader.fromMap(values);
  }

  /**
   * A failure to read the file as one line naming it, as the CLI words it: vertx-config-yaml
   * fails with SnakeYAML's multi-line message, or with a cast when the document is no mapping.
   */
  static InvalidSettingException refusal(String file, Throwable failure) {
    if (failure instanceof InvalidSettingException invalid) {
      return invalid;
    }
    Throwable cause = failure.getCause() instanceof ClassCastException ? failure.getCause() : failure;
    String message = cause instanceof ClassCastException ? "the document is not a mapping of setting names to values"
        : String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
    return new InvalidSettingException("Configuration file " + file + " is not a YAML mapping: " + message);
  }

  /**
   * A value as {@code ConfigFile} gives it to the CLI: mappings and lists of plain values. A YAML
   * date, which vertx-config-yaml turns into an instant, is given back as the date it was written
   * as (or the instant's text when it had a time of day): no setting is a date, and its text is
   * what a bad value's message shows.
   */
  private static Object plain(Object value) {
    if (value instanceof JsonObject object) {
      return plain(object.getMap());
    }
    if (value instanceof JsonArray array) {
      return plain(array.getList());
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> plain = new LinkedHashMap<>();
      map.forEach((key, item) -> plain.put(String.valueOf(key), plain(item)));
      return plain;
    }
    if (value instanceof List<?> list) {
      List<Object> plain = new ArrayList<>();
      list.forEach(item -> plain.add(plain(item)));
      return plain;
    }
    if (value instanceof Instant instant) {
      return instant.atOffset(ZoneOffset.UTC).toLocalTime().equals(LocalTime.MIDNIGHT)
          ? instant.atOffset(ZoneOffset.UTC).toLocalDate().toString() : instant.toString();
    }
    return value;
  }
}
