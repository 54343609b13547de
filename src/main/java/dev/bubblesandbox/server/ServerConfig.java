package dev.bubblesandbox.server;

import dev.bubblesandbox.config.ConfigFile;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the server's settings with vertx-config, later stores winning: the built-in defaults, the
 * YAML file ({@code -c FILE} or {@code conf/config.yaml}), the {@code BUBBLE_SANDBOX_*}
 * variables, then the command line's overrides; validated by {@link SettingsLoader#fromMap}.
 *
 * <p>The file is found and read by {@link ConfigFile}, not by a vertx-config file store: the CLI
 * reads the same file without Vert.x (starting it would cost more than the sandbox), and one
 * reader means one lookup rule and one YAML typing for both. Likewise the variables are mapped by
 * {@link SettingsLoader#fromEnvironment}, so that the server, like the CLI, warns about an unknown
 * {@code BUBBLE_SANDBOX_*} variable (with the setting it probably meant) instead of ignoring a
 * typo silently or refusing to start over another program's variable. vertx-config layers the sources,
 * so that a further store (system properties, a cluster's shared configuration) is one more
 * {@code addStore}.
 */
public final class ServerConfig {

  private static final Logger logger = LoggerFactory.getLogger(ServerConfig.class);

  private ServerConfig() {}

  public static Future<Settings> load(Vertx vertx, Optional<Path> configFile,
      Map<String, Object> overrides) {
    return load(vertx, configFile, System.getenv(), overrides);
  }

  static Future<Settings> load(Vertx vertx, Optional<Path> configFile, Map<String, String> environment,
      Map<String, Object> overrides) {
    SettingsLoader.unknownVariables(environment).forEach(logger::warn);
    // A disk read: off the event loop.
    return vertx.executeBlocking(() -> ConfigFile.values(configFile))
        .compose(fileValues -> {
          ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
              .setIncludeDefaultStores(false)
              .addStore(store(SettingsLoader.defaultValues()))
              .addStore(store(fileValues))
              .addStore(store(SettingsLoader.fromEnvironment(environment)))
              .addStore(store(overrides)));
          return retriever.getConfig().eventually(retriever::close);
        })
        .map(config -> {
          Map<String, Object> values = new LinkedHashMap<>();
          config.forEach(entry -> values.put(entry.getKey(),
              entry.getValue() instanceof JsonArray array ? array.getList() : entry.getValue()));
          return SettingsLoader.fromMap(values);
        });
  }

  private static ConfigStoreOptions store(Map<String, ?> values) {
    return new ConfigStoreOptions().setType("json").setConfig(new JsonObject(new LinkedHashMap<>(values)));
  }
}
