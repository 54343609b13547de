package dev.bubblesandbox.cli;

import dev.bubblesandbox.config.SettingsLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command line as a user types it: {@code bash -c LINE} with the project's
 * {@code bin/} (the {@code bubble-sandbox} launcher) first on PATH. {@code mvn verify} runs
 * tests before the jar is built, so the launcher is pointed at the test class path with
 * {@code BUBBLE_SANDBOX_CLASSPATH}; everything else (the script, its lookup of Java, the
 * arguments as the shell splits them) is what an installed command runs.
 */
final class LauncherShell {

  static final Path PROJECT = Path.of("").toAbsolutePath();
  static final Path BIN = PROJECT.resolve("bin");

  private LauncherShell() {}

  /** The builder for {@code bash -c line} in {@code directory}. */
  static ProcessBuilder builder(Path directory, Map<String, String> extraEnvironment, String line) {
    ProcessBuilder builder = new ProcessBuilder(List.of("/bin/bash", "-c", line)).directory(directory.toFile());
    Map<String, String> environment = builder.environment();
    new HashMap<>(environment).keySet().stream()
        .filter(name -> name.startsWith(SettingsLoader.ENV_PREFIX))
        .forEach(environment::remove);
    environment.put("PATH", BIN + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
    environment.put("BUBBLE_SANDBOX_CLASSPATH", System.getProperty("java.class.path"));
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.put("COLUMNS", "80");
    environment.putAll(extraEnvironment);
    return builder;
  }

  /** Runs {@code line} from the project directory. */
  static CliProcess.Outcome run(String line) throws IOException, InterruptedException {
    return run(PROJECT, Map.of(), line);
  }

  static CliProcess.Outcome run(Path directory, Map<String, String> extraEnvironment, String line)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("launcher-stdout", ".txt");
    Path err = Files.createTempFile("launcher-stderr", ".txt");
    try {
      Process process = builder(directory, extraEnvironment, line)
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(line + " did not exit within 120 s");
      }
      return new CliProcess.Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
