package dev.bubblesandbox.server;

import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.sandbox.LaunchSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A validated execute request: exactly one of {@code script}, {@code shell} or {@code command},
 * optional {@code stdin} and {@code timeout_seconds} (which may lower, never raise, the maximum).
 */
record ExecuteRequest(List<String> argv, String stdin, Duration timeout, Optional<String> environment) {

  private static final Set<String> FIELDS =
      Set.of("script", "shell", "command", "stdin", "timeout_seconds");

  /**
   * Parses {@code body}; {@code allowEnvironment} for one-shot requests, which name their
   * environment (default {@code defaultEnvironment}).
   *
   * @param extraFields fields the caller allows besides the execute fields (e.g. {@code type})
   */
  static ExecuteRequest parse(JsonObject body, int maxTimeoutSeconds, boolean allowEnvironment,
      Set<String> extraFields) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field) && !extraFields.contains(field)
          && !(allowEnvironment && field.equals("environment"))) {
        throw invalid("Unknown field '" + field + "'.");
      }
    }
    List<String> given = new ArrayList<>();
    for (String field : List.of("script", "shell", "command")) {
      if (body.containsKey(field)) {
        given.add(field);
      }
    }
    if (given.size() != 1) {
      throw invalid("Give exactly one of 'script', 'shell' or 'command'.");
    }
    List<String> argv = switch (given.get(0)) {
      case "script" -> LaunchSpec.pythonArgv(string(body, "script"));
      case "shell" -> LaunchSpec.shellArgv(string(body, "shell"));
      default -> command(body);
    };
    String stdin = body.containsKey("stdin") ? string(body, "stdin") : "";
    int timeout = maxTimeoutSeconds;
    if (body.containsKey("timeout_seconds")) {
      Object value = body.getValue("timeout_seconds");
      if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() <= 0) {
        throw invalid("'timeout_seconds' must be a positive whole number.");
      }
      if (((Number) value).longValue() > maxTimeoutSeconds) {
        throw invalid("'timeout_seconds' may not exceed the configured maximum of "
            + maxTimeoutSeconds + " s.");
      }
      timeout = ((Number) value).intValue();
    }
    Optional<String> environment = allowEnvironment && body.containsKey("environment")
        ? Optional.of(string(body, "environment")) : Optional.empty();
    return new ExecuteRequest(argv, stdin, Duration.ofSeconds(timeout), environment);
  }

  private static List<String> command(JsonObject body) {
    Object value = body.getValue("command");
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw invalid("'command' must be a non-empty array of strings.");
    }
    List<String> argv = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw invalid("'command' must be a non-empty array of strings.");
      }
      argv.add(text);
    }
    return argv;
  }

  private static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String text)) {
      throw invalid("'" + field + "' must be a string.");
    }
    if (text.indexOf('\0') >= 0 && !field.equals("stdin")) {
      throw invalid("'" + field + "' may not contain NUL characters.");
    }
    return text;
  }

  private static RefusedException invalid(String message) {
    return new RefusedException("invalid_request", message);
  }
}
