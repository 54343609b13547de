package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The MCP clients the MCP tests run: {@code src/test/python/mcp_checks.py} on the official Python
 * MCP SDK ({@code mcp} in {@code .ci/.venv}), and the inspector's CLI ({@code .ci/npm}).
 */
final class McpClients {

  static final Path PYTHON = Path.of(".ci", ".venv", "bin", "python");
  static final Path CHECKS = Path.of("src", "test", "python", "mcp_checks.py");
  static final Path JAR = Path.of("target", "bubble-sandbox.jar");

  private McpClients() {}

  /**
   * Runs mcp_checks.py with {@code arguments} and {@code environment}; asserts that it ended 0
   * and said "ok" for each of {@code checks}. Returns what it printed.
   */
  static String runChecks(List<String> arguments, Map<String, String> environment, String... checks) throws Exception {
    if (!Files.isExecutable(PYTHON)) {
      throw new IllegalStateException(PYTHON + " is missing: python3 -m venv .ci/.venv && "
          + ".ci/.venv/bin/pip install mcp (bin/machine-setup --test does this)");
    }
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), CHECKS.toString(), "--checks", String.join(",", checks)));
    command.addAll(arguments);
    String printed = run(command, environment, 10);
    for (String check : checks) {
      assertThat(printed).as(printed).containsPattern("(?m)^ok " + check + ":");
    }
    return printed;
  }

  /** Runs {@code command} to its end (stdin empty, stderr with stdout); its output, asserted exit 0. */
  static String run(List<String> command, Map<String, String> environment, int minutes) throws Exception {
    Path output = Files.createTempFile("bubble-sandbox-mcp-", ".txt");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectErrorStream(true)
          .redirectOutput(output.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish: " + Files.readString(output, StandardCharsets.UTF_8));
      }
      String printed = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(command + "\n" + printed).isZero();
      return printed;
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
