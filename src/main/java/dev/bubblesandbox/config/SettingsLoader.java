package dev.bubblesandbox.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds {@link Settings} from layered sources, later ones winning: built-in defaults, the YAML
 * file, then {@code BUBBLE_SANDBOX_*} environment variables. Each bad value fails with one line
 * naming the setting.
 */
public final class SettingsLoader {

  public static final String ENV_PREFIX = "BUBBLE_SANDBOX_";
  public static final Path DEFAULT_CONFIG_FILE = Path.of("conf", "config.yaml");

  private SettingsLoader() {}

  /** The built-in defaults, keyed like the YAML file. */
  public static Map<String, Object> defaultValues() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("environments_dir", "environments");
    values.put("workspace_dir", "workspace_data");
    values.put("max_upload_size_bytes", 10_485_760L);
    values.put(
        "allowed_extensions",
        List.of(".txt", ".csv", ".md", ".json", ".yaml", ".yml", ".tsv", ".xml"));
    values.put("execution_timeout_seconds", 30);
    values.put("session_idle_timeout_seconds", 3600);
    values.put("max_sessions", 50);
    values.put("allow_persistent_sessions", true);
    values.put("log_level", "INFO");
    values.put("http_port", 8080);
    values.put("http_host", "127.0.0.1");
    values.put("max_output_bytes", 1_048_576L);
    values.put("tmpfs_size_bytes", 67_108_864L);
    values.put("sandbox_uid", 64_000);
    // A prefix under /usr is already in every sandbox; a private one (pyenv in /root, mode 0700)
    // cannot even be reached by the unprivileged sandbox uid.
    values.put("python", Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
    values.put("shutdown_grace_seconds", 10);
    values.put("memory_limit_bytes", 536_870_912L);
    values.put("pids_limit", 128);
    values.put("cpu_limit", 1.0);
    values.put("allow_unlimited", false);
    values.put("api_key", "");
    values.put("max_workspace_bytes", 104_857_600L);
    values.put("cors_allowed_origins", List.of());
    values.put("websocket_messages_per_second", 20);
    return values;
  }

  /**
   * Loads the settings the way the CLI and server do: defaults, then {@code configFile} (or
   * {@code conf/config.yaml} when it exists), then {@code environment}.
   */
  public static Settings load(Optional<Path> configFile, Map<String, String> environment) {
    return fromMap(values(configFile, environment));
  }

  /** The merged raw values behind {@link #load}, for callers that override some of them. */
  public static Map<String, Object> values(Optional<Path> configFile, Map<String, String> environment) {
    Map<String, Object> values = defaultValues();
    Optional<Path> file =
        configFile.isPresent()
            ? configFile
            : Optional.of(DEFAULT_CONFIG_FILE).filter(Files::isRegularFile);
    file.ifPresent(path -> values.putAll(readYaml(path)));
    values.putAll(fromEnvironment(environment));
    return values;
  }

  /** The settings named by {@code BUBBLE_SANDBOX_*} variables, keyed like the YAML file. */
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

  static Map<String, Object> readYaml(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidSettingException("Configuration file " + file + " does not exist.");
    }
    // SnakeYAML alone, not Jackson's data binding: the CLI reads this file on every run, and
    // starting data binding would cost more than the sandbox itself.
    try (Reader reader = Files.newBufferedReader(file)) {
      Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      // An empty or comments-only file is a valid YAML document with no content: no settings.
      if (document == null) {
        return Map.of();
      }
      if (!(document instanceof Map<?, ?> map)) {
        throw new InvalidSettingException("Configuration file " + file
            + " is not a YAML mapping of setting names to values.");
      }
      Map<String, Object> values = new LinkedHashMap<>();
      map.forEach((key, value) -> values.put(String.valueOf(key), value));
      return values;
    } catch (IOException | YAMLException e) {
      throw new InvalidSettingException(
          "Configuration file " + file + " is not a YAML mapping: " + firstLine(e.getMessage()));
    }
  }


  /** Validates merged values (defaults included) into settings. */
  public static Settings fromMap(Map<String, Object> values) {
    Map<String, Object> known = defaultValues();
    for (String key : values.keySet()) {
      if (!known.containsKey(key)) {
        throw new InvalidSettingException(
            "Unknown setting " + describe(key) + "; known settings: " + String.join(", ", known.keySet()) + ".");
      }
    }
    Values v = new Values(values);
    return new Settings(
        Path.of(v.text("environments_dir")),
        Path.of(v.text("workspace_dir")),
        v.positiveLong("max_upload_size_bytes"),
        v.extensions("allowed_extensions"),
        v.positiveInt("execution_timeout_seconds"),
        v.positiveInt("session_idle_timeout_seconds"),
        v.positiveInt("max_sessions"),
        v.bool("allow_persistent_sessions"),
        v.logLevel("log_level"),
        v.port("http_port"),
        v.text("http_host"),
        v.positiveLong("max_output_bytes"),
        v.positiveLong("tmpfs_size_bytes"),
        v.positiveInt("sandbox_uid"),
        v.text("python"),
        v.positiveInt("shutdown_grace_seconds"),
        v.positiveLong("memory_limit_bytes"),
        v.positiveInt("pids_limit"),
        v.positiveDecimal("cpu_limit"),
        v.bool("allow_unlimited"),
        v.secret("api_key"),
        v.positiveLong("max_workspace_bytes"),
        v.origins("cors_allowed_origins"),
        v.positiveInt("websocket_messages_per_second"));
  }

  static String describe(String key) {
    return key + " (" + ENV_PREFIX + key.toUpperCase(Locale.ROOT) + ")";
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  /** Typed access to raw values from YAML (typed) or the environment (always strings). */
  private record Values(Map<String, Object> raw) {

    String text(String key) {
      Object value = raw.get(key);
      if (value == null || value.toString().isBlank()) {
        throw invalid(key, value, "a non-empty value");
      }
      return value.toString().trim();
    }

    long positiveLong(String key) {
      Object value = raw.get(key);
      try {
        // Parsed from the text even for YAML numbers: a BigInteger's longValue() would silently
        // wrap a value beyond the long range, and a fraction must not be cut to a whole number.
        long parsed = Long.parseLong(value.toString().trim());
        if (parsed > 0) {
          return parsed;
        }
      } catch (NumberFormatException | NullPointerException e) {
        // reported below
      }
      throw invalid(key, value, "a positive whole number");
    }

    int positiveInt(String key) {
      long parsed = positiveLong(key);
      if (parsed > Integer.MAX_VALUE) {
        throw invalid(key, raw.get(key), "a positive whole number below 2^31");
      }
      return (int) parsed;
    }

    /** A secret: empty (off) or at least 16 characters; its value is never echoed. */
    String secret(String key) {
      Object value = raw.get(key);
      String text = value == null ? "" : value.toString().trim();
      if (!text.isEmpty() && text.length() < 16) {
        throw new InvalidSettingException("Invalid setting " + describe(key)
            + ": expected at least 16 characters (the value is not shown).");
      }
      return text;
    }

    /** A JSON list of origins such as ["https://console.example.com"]. */
    List<String> origins(String key) {
      List<String> origins = new ArrayList<>();
      for (Object item : list(key, "a JSON list of origins such as [\"https://console.example.com\"]")) {
        String origin = String.valueOf(item).trim();
        if (!origin.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
          throw invalid(key, raw.get(key), "origins such as \"https://console.example.com\"");
        }
        origins.add(origin);
      }
      return origins;
    }

    private List<?> list(String key, String expected) {
      Object value = raw.get(key);
      if (value instanceof List<?> list) {
        return list;
      }
      try {
        return new ObjectMapper().readValue(String.valueOf(value), List.class);
      } catch (JsonProcessingException e) {
        throw invalid(key, value, expected);
      }
    }

    double positiveDecimal(String key) {
      Object value = raw.get(key);
      try {
        double parsed = Double.parseDouble(String.valueOf(value).trim());
        if (parsed > 0 && Double.isFinite(parsed)) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw invalid(key, value, "a positive number such as 1 or 0.5");
    }

    int port(String key) {
      Object value = raw.get(key);
      try {
        int parsed = Integer.parseInt(value.toString().trim());
        if (parsed >= 0 && parsed <= 65_535) {
          return parsed;
        }
      } catch (NumberFormatException | NullPointerException e) {
        // reported below
      }
      throw invalid(key, value, "a port number from 0 to 65535");
    }

    boolean bool(String key) {
      Object value = raw.get(key);
      if (value instanceof Boolean b) {
        return b;
      }
      String text = value == null ? "" : value.toString().trim().toLowerCase(Locale.ROOT);
      return switch (text) {
        case "true" -> true;
        case "false" -> false;
        default -> throw invalid(key, value, "true or false");
      };
    }

    String logLevel(String key) {
      String level = text(key).toUpperCase(Locale.ROOT);
      if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(level)) {
        throw invalid(key, raw.get(key), "one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
      }
      return level;
    }

    List<String> extensions(String key) {
      Object value = raw.get(key);
      List<?> items = list(key, "a JSON list such as [\".txt\", \".csv\"]");
      List<String> extensions = new ArrayList<>();
      for (Object item : items) {
        String extension = String.valueOf(item).trim().toLowerCase(Locale.ROOT);
        if (!extension.matches("\\.[a-z0-9_-]{1,16}")) {
          throw invalid(key, value, "extensions such as \".csv\" (a dot, then letters or digits)");
        }
        extensions.add(extension);
      }
      return extensions;
    }

    private static InvalidSettingException invalid(String key, Object value, String expected) {
      return new InvalidSettingException(
          "Invalid setting " + describe(key) + ": expected " + expected + ", got '" + value + "'.");
    }
  }
}
