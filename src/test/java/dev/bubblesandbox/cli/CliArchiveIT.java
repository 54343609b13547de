package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher runs the built jar the same with its class data archive, without it, and with a
 * stale one: {@code bin/bubble-sandbox execute-python -a -s 'print(1)'} prints 1 and nothing
 * else. A copy of the jar in a temporary directory (BUBBLE_SANDBOX_JAR) keeps target/ as the
 * build left it; its archive is made by bin/cli-archive as {@code mvn package} makes the real one.
 */
class CliArchiveIT {

  private static final Path BUILT_JAR = LauncherShell.PROJECT.resolve("target/bubble-sandbox.jar");

  @TempDir Path dir;

  private Path jar() throws IOException {
    assertThat(BUILT_JAR).as("mvn package builds the jar before the integration tests").exists();
    Path jar = dir.resolve("bubble-sandbox.jar");
    Files.copy(BUILT_JAR, jar, StandardCopyOption.COPY_ATTRIBUTES);
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
    return jar;
  }

  /** Runs a command with the launcher from the project directory; the class loading logged. */
  private CliProcess.Outcome run(Path jar, Path classLog, String... args)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(args).directory(LauncherShell.PROJECT.toFile());
    Map<String, String> environment = builder.environment();
    new HashMap<>(environment).keySet().stream()
        .filter(name -> name.startsWith("BUBBLE_SANDBOX_") || name.equals("JAVA_OPTS"))
        .forEach(environment::remove);
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.put("BUBBLE_SANDBOX_JAR", jar.toString());
    if (classLog != null) {
      environment.put("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog);
    }
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(List.of(args) + " did not exit within 180 s");
    }
    return new CliProcess.Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private CliProcess.Outcome printOne(Path jar, Path classLog) throws IOException, InterruptedException {
    return run(jar, classLog, LauncherShell.BIN.resolve("bubble-sandbox").toString(),
        "execute-python", "-a", "-s", "print(1)");
  }

  /** bin/cli-archive JAR: the archive beside the jar, and no partial file left. */
  private void makeArchive(Path jar) throws IOException, InterruptedException {
    CliProcess.Outcome made = run(jar, null, LauncherShell.BIN.resolve("cli-archive").toString(),
        jar.toString());
    assertThat(made.exitCode()).as(made.stderr()).isZero();
    assertThat(dir.resolve("bubble-sandbox.jsa")).exists();
    try (var files = Files.list(dir)) {
      assertThat(files.map(Path::getFileName).map(Path::toString))
          .noneMatch(name -> name.contains(".partial."));
    }
  }

  /** Where the launched JVM found the CLI's main class: the archive or the jar. */
  private static String mainClassSource(Path classLog) throws IOException {
    return Files.readAllLines(classLog).stream()
        .filter(line -> line.contains(" dev.bubblesandbox.cli.Main "))
        .findFirst().orElseThrow(() -> new AssertionError("Main was not loaded"));
  }

  private static void assertPrintedOne(CliProcess.Outcome outcome) {
    assertThat(outcome.stderr()).isEmpty();
    assertThat(outcome.stdout()).isEqualTo("1\n");
    assertThat(outcome.exitCode()).isZero();
  }

  @Test
  @DisplayName("without an archive the launcher runs the jar: 1, nothing else, status 0")
  void withoutArchive() throws Exception {
    Path jar = jar();
    Path classLog = dir.resolve("classes.log");

    assertPrintedOne(printOne(jar, classLog));
    assertThat(mainClassSource(classLog)).contains("source: file:");
  }

  @Test
  @DisplayName("a plain run loads neither picocli nor the logging framework")
  void plainRunLoadsNoFramework() throws Exception {
    // Start-up is most of a CLI run: starting logback made a 270 ms run take 450 ms.
    Path jar = jar();
    Path classLog = dir.resolve("classes.log");

    assertPrintedOne(printOne(jar, classLog));
    List<String> loaded = Files.readAllLines(classLog);
    assertThat(loaded).as("classes loaded").hasSizeGreaterThan(100);
    assertThat(loaded).noneMatch(line -> line.contains(" picocli.") || line.contains(" ch.qos.logback.")
        || line.contains(" org.slf4j."));
  }

  @Test
  @DisplayName("bin/cli-archive makes the archive, and the launcher's JVM loads the CLI from it")
  void withArchive() throws Exception {
    Path jar = jar();
    makeArchive(jar);
    Path classLog = dir.resolve("classes.log");

    assertPrintedOne(printOne(jar, classLog));
    assertThat(mainClassSource(classLog)).contains("shared objects file");
  }

  @Test
  @DisplayName("a stale archive is passed over silently: older than the jar, or for another jar")
  void staleArchive() throws Exception {
    Path jar = jar();
    makeArchive(jar);
    Path classLog = dir.resolve("classes.log");

    // the jar rebuilt after the archive: the launcher leaves the archive out
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
    assertPrintedOne(printOne(jar, classLog));
    assertThat(mainClassSource(classLog)).contains("source: file:");

    // the jar changed but the archive looks newer: the JVM refuses it, and says nothing
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
    Files.delete(classLog);
    assertPrintedOne(printOne(jar, classLog));
    assertThat(mainClassSource(classLog)).contains("source: file:");
  }
}
