package dev.bubblesandbox.cli;

import dev.bubblesandbox.config.SettingsLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code dev.bubblesandbox.cli.Main} in a JVM of its own, as a user would: the CLI writes to the
 * process's file descriptors directly, so its output can only be captured from outside.
 */
final class CliProcess {

  /** What one CLI run printed and returned. */
  record Outcome(int exitCode, String stdout, String stderr) {}

  private static final Path PROJECT = Path.of("").toAbsolutePath();

  private CliProcess() {}

  /** The builder for {@code bubble-sandbox ARGS}, run from the project directory. */
  static ProcessBuilder builder(Map<String, String> extraEnvironment, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "dev.bubblesandbox.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT.toFile());
    Map<String, String> environment = builder.environment();
    // Settings come from the command line and extraEnvironment only, never from the caller's shell.
    new HashMap<>(environment).keySet().stream()
        .filter(name -> name.startsWith(SettingsLoader.ENV_PREFIX))
        .forEach(environment::remove);
    environment.put("COLUMNS", "80");
    environment.putAll(extraEnvironment);
    return builder;
  }

  /**
   * As {@link #builder}, with SIGINT at its default action as in a terminal's foreground job:
   * a process started from a shell's background job inherits SIGINT ignored, and the JVM then
   * leaves it ignored, so Ctrl-C tests would depend on how the build was started.
   */
  static ProcessBuilder interruptibleBuilder(String... args) {
    ProcessBuilder builder = builder(Map.of(), args);
    builder.command().addAll(0, List.of("/usr/bin/env", "--default-signal=INT"));
    return builder;
  }

  static Outcome run(String... args) throws IOException, InterruptedException {
    return run(Map.of(), args);
  }

  static Outcome run(Map<String, String> extraEnvironment, String... args)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("cli-stdout", ".txt");
    Path err = Files.createTempFile("cli-stderr", ".txt");
    try {
      Process process = builder(extraEnvironment, args)
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("bubble-sandbox " + String.join(" ", args) + " did not exit within 60 s");
      }
      return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
