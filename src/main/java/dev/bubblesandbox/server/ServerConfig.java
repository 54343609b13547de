package dev.bubblesandbox.server;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the server's settings with vertx-config, later stores winning: built-in defaults, the YAML
 * file, then {@code BUBBLE_SANDBOX_*} variables; validated by {@link SettingsLoader#fromMap}.
 */
public final class ServerConfig {

  private ServerConfig() {}

  public static Future<Settings> load(Vertx vertx, Optional<Path> configFile,
      Map<String, Object> overrides) {
    Map<String, Object> defaults = SettingsLoader.defaultValues();
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(new JsonObject(defaults)));
    Optional<Path> file = configFile.isPresent() ? configFile
        : Optional.of(SettingsLoader.DEFAULT_CONFIG_FILE).filter(Files::isRegularFile);
    if (file.isPresent() && !Files.isRegularFile(file.get())) {
      return Future.failedFuture(new dev.bubblesandbox.config.InvalidSettingException(
          "Configuration file " + file.get() + " does not exist."));
    }
    file.ifPresent(path -> options.addStore(new ConfigStoreOptions().setType("file")
        .setFormat("yaml").setConfig(new JsonObject().put("path", path.toString()))));
    JsonArray keys = new JsonArray();
    defaults.keySet().forEach(key -> keys.add(SettingsLoader.ENV_PREFIX + key.toUpperCase(Locale.ROOT)));
    options.addStore(new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("keys", keys).put("raw-data", true)));

    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .recover(failure -> Future.failedFuture(new dev.bubblesandbox.config.InvalidSettingException(
            "Configuration file " + file.orElse(null) + " cannot be read: "
                + String.valueOf(failure.getMessage()).lines().findFirst().orElse(""))))
        .map(config -> {
          Map<String, Object> values = new LinkedHashMap<>();
          Map<String, String> environment = new LinkedHashMap<>();
          config.forEach(entry -> {
            if (entry.getKey().startsWith(SettingsLoader.ENV_PREFIX)) {
              environment.put(entry.getKey(), String.valueOf(entry.getValue()));
            } else {
              values.put(entry.getKey(), entry.getValue() instanceof JsonArray array ? array.getList() : entry.getValue());
            }
          });
          values.putAll(SettingsLoader.fromEnvironment(environment));
          values.putAll(overrides);
          return SettingsLoader.fromMap(values);
        });
  }
}
