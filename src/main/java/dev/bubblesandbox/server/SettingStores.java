package dev.bubblesandbox.server;

import dev.bubblesandbox.config.SettingsLoader;
import io.vertx.config.spi.ConfigStore;
import io.vertx.config.spi.ConfigStoreFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The vertx-config store of type {@value #TYPE}: the settings named by the process's
 * {@code BUBBLE_SANDBOX_*} environment variables ({@code "source": "env"}) or its
 * {@code bubble-sandbox.*} system properties ({@code "source": "sys"}), keyed like the YAML file.
 *
 * <p>vertx-config's own {@code env} and {@code sys} stores hand over every variable and property
 * under its own name; merged with the file's keys, {@code BUBBLE_SANDBOX_MAX_SESSIONS} would not
 * override {@code max_sessions}, and {@code java.version} would look like a mistyped setting. This
 * store maps names to keys with {@link SettingsLoader}, as the CLI does, so that vertx-config's
 * merge gives the precedence. A {@code "values"} object stands in for the process's own
 * variables or properties (tests).
 */
public final class SettingStores implements ConfigStoreFactory {

  /** The store type, as {@code ConfigStoreOptions#setType} names it. */
  public static final String TYPE = "bubble-sandbox-settings";

  @Override
  public String name() {
    return TYPE;
  }

  @Override
  public ConfigStore create(Vertx vertx, JsonObject configuration) {
    JsonObject given = configuration.getJsonObject("values");
    boolean environment = switch (configuration.getString("source", "")) {
      case "env" -> true;
      case "sys" -> false;
      default -> throw new IllegalArgumentException(TYPE + " needs \"source\": \"env\" or \"sys\"");
    };
    return new Store(() -> environment ? SettingsLoader.fromEnvironment(variables(given))
        : SettingsLoader.fromProperties(properties(given)));
  }

  private static Map<String, String> variables(JsonObject given) {
    Map<String, String> variables = new LinkedHashMap<>();
    if (given == null) {
      variables.putAll(System.getenv());
    } else {
      given.forEach(entry -> variables.put(entry.getKey(), String.valueOf(entry.getValue())));
    }
    return variables;
  }

  private static Properties properties(JsonObject given) {
    Properties properties = new Properties();
    if (given == null) {
      properties.putAll(System.getProperties());
    } else {
      given.forEach(entry -> properties.setProperty(entry.getKey(), String.valueOf(entry.getValue())));
    }
    return properties;
  }

  /** Reads its source at every scan: cheap, and a store that cached would hide nothing new anyway. */
  private static final class Store implements ConfigStore {

    private final Supplier<Map<String, Object>> values;

    Store(Supplier<Map<String, Object>> values) {
      this.values = values;
    }

    @Override
    public Future<Buffer> get() {
      return Future.succeededFuture(new JsonObject(values.get()).toBuffer());
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
