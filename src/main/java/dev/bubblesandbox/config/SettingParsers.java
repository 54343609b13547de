package dev.bubblesandbox.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.config.SettingParser.Rejected;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The parsers the settings table uses: each accepts a typed YAML value or an environment string. */
final class SettingParsers {

  private SettingParsers() {}

  static String text(Object raw) {
    if (raw == null || raw.toString().isBlank()) {
      throw new Rejected("a non-empty value");
    }
    return raw.toString().trim();
  }

  /** A path; a relative one is taken from the install directory, not the working directory. */
  static Path path(Object raw) {
    return InstallDirectory.resolve(Path.of(text(raw)));
  }

  static long positiveLong(Object raw) {
    try {
      // Parsed from the text even for YAML numbers: a BigInteger's longValue() would silently
      // wrap a value beyond the long range, and a fraction must not be cut to a whole number.
      long parsed = Long.parseLong(String.valueOf(raw).trim());
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // rejected below
    }
    throw new Rejected("a positive whole number");
  }

  static int positiveInt(Object raw) {
    long parsed = positiveLong(raw);
    if (parsed > Integer.MAX_VALUE) {
      throw new Rejected("a positive whole number below 2^31");
    }
    return (int) parsed;
  }

  static int nonNegativeInt(Object raw) {
    if (String.valueOf(raw).trim().equals("0")) {
      return 0;
    }
    try {
      return positiveInt(raw);
    } catch (Rejected e) {
      throw new Rejected("a whole number from 0 to 2^31 - 1");
    }
  }

  static double positiveDecimal(Object raw) {
    try {
      double parsed = Double.parseDouble(String.valueOf(raw).trim());
      if (parsed > 0 && Double.isFinite(parsed)) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // rejected below
    }
    throw new Rejected("a positive number such as 1 or 0.5");
  }

  static int port(Object raw) {
    try {
      int parsed = Integer.parseInt(String.valueOf(raw).trim());
      if (parsed >= 0 && parsed <= 65_535) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // rejected below
    }
    throw new Rejected("a port number from 0 to 65535");
  }

  static boolean bool(Object raw) {
    if (raw instanceof Boolean b) {
      return b;
    }
    return switch (raw == null ? "" : raw.toString().trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new Rejected("true or false");
    };
  }

  static String logLevel(Object raw) {
    return LogLevel.parse(text(raw)).map(Enum::name)
        .orElseThrow(() -> new Rejected("one of " + LogLevel.names()));
  }

  /** A secret: empty (off) or at least 16 characters; its value is never echoed. */
  static String secret(Object raw) {
    String text = raw == null ? "" : raw.toString().trim();
    if (!text.isEmpty() && text.length() < 16) {
      throw new Rejected("at least 16 characters", true);
    }
    return text;
  }

  /** The cluster's shared secret: empty (off) or at least 32 characters; never echoed. */
  static String clusterSecret(Object raw) {
    String text = raw == null ? "" : raw.toString().trim();
    if (!text.isEmpty() && text.length() < 32) {
      throw new Rejected("at least 32 characters", true);
    }
    return text;
  }

  /** A directory path without control characters, or empty for none. */
  static String optionalPath(Object raw) {
    String text = raw == null ? "" : raw.toString().trim();
    if (text.chars().anyMatch(Character::isISOControl)) {
      throw new Rejected("a directory path, or empty");
    }
    return text.isEmpty() ? text : InstallDirectory.resolve(Path.of(text)).toString();
  }

  /**
   * Tenants and their keys: a list of {@code {tenant, key_sha256, max_sessions?}}, tenant names
   * unique, digests unique (one key, one tenant).
   */
  static List<ApiKey> apiKeys(Object raw) {
    String expected = "a list such as [{\"tenant\": \"team-a\", \"key_sha256\": \"<64 hex digits>\", "
        + "\"max_sessions\": 10}] (tenant: 1 to 32 letters, digits, '_' or '-')";
    if (raw == null || raw.toString().isBlank()) {
      return List.of();
    }
    List<ApiKey> keys = new ArrayList<>();
    for (Object item : list(raw, expected)) {
      Map<?, ?> entry = item instanceof Map<?, ?> map ? map : object(item, expected);
      Object tenant = entry.get("tenant");
      Object digest = entry.get("key_sha256");
      Object max = entry.get("max_sessions");
      if (!(tenant instanceof String name) || !ApiKey.isTenantName(name) || digest == null
          || !String.valueOf(digest).trim().matches("[0-9A-Fa-f]{64}")
          || !entry.keySet().stream().allMatch(key -> List.of("tenant", "key_sha256", "max_sessions").contains(key))) {
        throw new Rejected(expected);
      }
      int maxSessions = max == null ? 0 : positiveInt(max);
      ApiKey key = new ApiKey(name, String.valueOf(digest).trim().toLowerCase(Locale.ROOT), maxSessions);
      if (keys.stream().anyMatch(other -> other.tenant().equals(key.tenant()) || other.keySha256().equals(key.keySha256()))) {
        throw new Rejected("each tenant and each key once");
      }
      keys.add(key);
    }
    return List.copyOf(keys);
  }

  private static Map<?, ?> object(Object item, String expected) {
    try {
      Map<?, ?> map = new ObjectMapper().readValue(String.valueOf(item), Map.class);
      if (map != null) {
        return map;
      }
    } catch (JsonProcessingException e) {
      // rejected below
    }
    throw new Rejected(expected);
  }

  /** Host names (no port) such as ["sandbox.example.com", "10.0.0.5"]. */
  static List<String> hosts(Object raw) {
    if (raw == null || raw.toString().isBlank()) {
      return List.of();
    }
    List<String> hosts = new ArrayList<>();
    for (Object item : list(raw, "a JSON list of host names such as [\"sandbox.example.com\"]")) {
      String host = String.valueOf(item).trim().toLowerCase(Locale.ROOT);
      if (!host.matches("[a-z0-9.-]+|\\[[0-9a-f:.]+\\]")) {
        throw new Rejected("host names without a port, such as \"sandbox.example.com\" or \"[::1]\"");
      }
      hosts.add(host);
    }
    return List.copyOf(hosts);
  }

  static List<String> extensions(Object raw) {
    List<String> extensions = new ArrayList<>();
    for (Object item : list(raw, "a JSON list such as [\".txt\", \".csv\"]")) {
      String extension = String.valueOf(item).trim().toLowerCase(Locale.ROOT);
      if (!extension.matches("\\.[a-z0-9_-]{1,16}")) {
        throw new Rejected("extensions such as \".csv\" (a dot, then letters or digits)");
      }
      extensions.add(extension);
    }
    return List.copyOf(extensions);
  }

  /** A list of origins such as ["https://console.example.com"]. */
  static List<String> origins(Object raw) {
    List<String> origins = new ArrayList<>();
    for (Object item : list(raw, "a JSON list of origins such as [\"https://console.example.com\"]")) {
      String origin = String.valueOf(item).trim();
      if (!origin.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
        throw new Rejected("origins such as \"https://console.example.com\"");
      }
      origins.add(origin);
    }
    return List.copyOf(origins);
  }

  /** A member port: 0 (any) means nothing to the other members, so 1 to 65535. */
  static int memberPort(Object raw) {
    int parsed = port(raw);
    if (parsed == 0) {
      throw new Rejected("a port number from 1 to 65535");
    }
    return parsed;
  }

  /** Comma-separated host:port pairs (a YAML list too); empty for none. */
  static List<String> hostPorts(Object raw) {
    List<?> items = raw instanceof List<?> list ? list
        : raw == null || raw.toString().isBlank() ? List.of() : List.of(raw.toString().split(","));
    List<String> members = new ArrayList<>();
    for (Object item : items) {
      String member = String.valueOf(item).trim();
      if (!member.matches("[A-Za-z0-9.-]+:[0-9]{1,5}") || port(member.substring(member.lastIndexOf(':') + 1)) == 0) {
        throw new Rejected("a comma-separated list of host:port such as 10.0.0.5:5701,10.0.0.6:5701");
      }
      members.add(member);
    }
    return List.copyOf(members);
  }

  /** A DNS name, or empty for none. */
  static String dnsName(Object raw) {
    String text = raw == null ? "" : raw.toString().trim();
    if (!text.isEmpty() && !text.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
      throw new Rejected("a DNS name such as bubble-sandbox-hs.default.svc.cluster.local, or empty");
    }
    return text;
  }

  static String clusterName(Object raw) {
    String text = text(raw);
    if (!text.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new Rejected("a name of letters, digits, '.', '_' or '-'");
    }
    return text;
  }

  /** A YAML list as it is, or a JSON list from an environment variable. */
  private static List<?> list(Object raw, String expected) {
    if (raw instanceof List<?> list) {
      return list;
    }
    try {
      List<?> list = new ObjectMapper().readValue(String.valueOf(raw), List.class);
      if (list != null) {
        return list;
      }
    } catch (JsonProcessingException e) {
      // rejected below
    }
    throw new Rejected(expected);
  }
}
