package dev.bubblesandbox.server.execution;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.limits.ResourceLimits;
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
public record ExecuteRequest(Program program, String stdin, ExecutionLimits limits, Optional<String> environment) {

  /**
   * The least {@code memory_limit_bytes} a request may set. Below it a sandbox cannot even be
   * set up (cgroup v1 refuses a limit under the launcher's own usage): that is the client's
   * mistake, not the server being unavailable.
   */
  static final long MIN_MEMORY_BYTES = 1 << 20;

  /**
   * The least {@code pids_limit} a request may set: bwrap outside and inside the sandbox count,
   * so under it no sandbox starts, and the program should have room for one child.
   */
  static final int MIN_PIDS = 4;

  public static final Set<String> FIELDS = Set.of("script", "shell", "command", "stdin",
      "timeout_seconds", "memory_limit_bytes", "pids_limit", "cpu_limit");

  /**
   * Parses {@code body}; {@code allowEnvironment} for one-shot requests, which name their
   * environment (default {@code defaultEnvironment}).
   *
   * @param extraFields fields the caller allows besides the execute fields (e.g. {@code type})
   */
  public static ExecuteRequest parse(JsonObject body, ExecutionLimits max, boolean allowEnvironment,
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
    Program program = switch (given.get(0)) {
      case "script" -> Program.python(string(body, "script"));
      case "shell" -> Program.shell(string(body, "shell"));
      default -> Program.command(command(body));
    };
    String stdin = body.containsKey("stdin") ? string(body, "stdin") : "";
    long timeout = lower(body, "timeout_seconds", max.timeout().toSeconds());
    ResourceLimits configured = max.resources();
    long memory = lower(body, "memory_limit_bytes", configured.memoryBytes());
    if (body.containsKey("memory_limit_bytes") && memory < MIN_MEMORY_BYTES) {
      throw invalid("'memory_limit_bytes' must be at least " + MIN_MEMORY_BYTES + " (1 MiB): no sandbox starts in less.");
    }
    int pids = (int) lower(body, "pids_limit", configured.maxTasks());
    if (body.containsKey("pids_limit") && pids < MIN_PIDS) {
      throw invalid("'pids_limit' must be at least " + MIN_PIDS + ": the sandbox's own processes count.");
    }
    ResourceLimits resources = new ResourceLimits(memory, pids,
        body.containsKey("cpu_limit") ? lowerCpus(body, configured.cpus()) : configured.cpus());
    Optional<String> environment = allowEnvironment && body.containsKey("environment")
        ? Optional.of(string(body, "environment")) : Optional.empty();
    return new ExecuteRequest(program, stdin,
        max.withTimeout(Duration.ofSeconds(timeout)).withResources(resources), environment);
  }

  /**
   * The Python source of a {@code script} request; empty for {@code shell} and {@code command}
   * (a kernel session runs only scripts in its kernel).
   */
  public Optional<String> script() {
    return program.argv().equals(Program.python("").argv()) ? program.source() : Optional.empty();
  }

  /** A request's value for a limit: a positive whole number, never above the configured one. */
  private static long lower(JsonObject body, String field, long configured) {
    if (!body.containsKey(field)) {
      return configured;
    }
    Object value = body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() <= 0) {
      throw invalid("'" + field + "' must be a positive whole number.");
    }
    if (((Number) value).longValue() > configured) {
      throw invalid("'" + field + "' may lower, never raise, the configured maximum of " + configured + ".");
    }
    return ((Number) value).longValue();
  }

  private static double lowerCpus(JsonObject body, double configured) {
    Object value = body.getValue("cpu_limit");
    if (!(value instanceof Number number) || !(number.doubleValue() > 0)) {
      throw invalid("'cpu_limit' must be a positive number.");
    }
    if (number.doubleValue() > configured) {
      throw invalid("'cpu_limit' may lower, never raise, the configured maximum of " + configured + ".");
    }
    return number.doubleValue();
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
      if (text.indexOf('\0') >= 0) {
        throw invalid("'command' arguments may not contain NUL characters.");
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
    return new RefusedException(ErrorCode.INVALID_REQUEST, message);
  }
}
