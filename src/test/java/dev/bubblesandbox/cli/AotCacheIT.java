package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher on Java 25: with no JAVA_HOME it runs the newest Java 25 or later under
 * /usr/lib/jvm and starts the CLI and {@code serve} from the AOT caches that bin/aot-cache trains
 * (as {@code mvn package} does); a cache older than the jar or trained by another Java is passed
 * over, and says so under BUBBLE_SANDBOX_DEBUG; a JAVA_HOME the user set wins, and the Java the
 * tests run on (17 in CI) still runs the jar. Where the JVM found a class and which JVM ran are
 * read from the JVM's own logs (class+load, gc+init), not from the launcher's words.
 *
 * <p>The caches are trained once, for a copy of the built jar in a temporary directory, so that
 * target/ stays as the build left it.
 */
class AotCacheIT {

  private static final Path BUILT_JAR = LauncherShell.PROJECT.resolve("target/bubble-sandbox.jar");
  private static final Path JVM_DIR = Path.of("/usr/lib/jvm");

  @TempDir static Path trained;
  @TempDir Path dir;

  @BeforeAll
  static void trainCaches() throws Exception {
    assertThat(newestJavaFeature()).as("a Java 25 or later under " + JVM_DIR + " (Temurin 25)")
        .hasValueSatisfying(feature -> assertThat(feature).isGreaterThanOrEqualTo(25));
    assertThat(BUILT_JAR).as("mvn package builds the jar before the integration tests").exists();
    Path jar = trained.resolve("bubble-sandbox.jar");
    Files.copy(BUILT_JAR, jar, StandardCopyOption.COPY_ATTRIBUTES);
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
    CliProcess.Outcome made = run(trained, jar, Map.of(),
        LauncherShell.BIN.resolve("aot-cache").toString(), jar.toString());
    assertThat(made.exitCode()).as(made.stderr()).isZero();
    assertThat(made.stdout()).contains("made " + trained.resolve("bubble-sandbox-cli.aot"))
        .contains("made " + trained.resolve("bubble-sandbox-serve.aot"));
    try (Stream<Path> files = Files.list(trained)) {
      assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder(
          "bubble-sandbox.jar", "bubble-sandbox-cli.aot", "bubble-sandbox-cli.aot.jdk",
          "bubble-sandbox-serve.aot", "bubble-sandbox-serve.aot.jdk", "stdout", "stderr");
    }
  }

  /** The highest feature release among the JDKs under /usr/lib/jvm, read as the launcher does. */
  private static Optional<Integer> newestJavaFeature() throws IOException {
    try (Stream<Path> homes = Files.list(JVM_DIR)) {
      return homes.map(home -> home.resolve("release")).filter(Files::isReadable)
          .flatMap(release -> {
            try {
              return Files.readAllLines(release).stream();
            } catch (IOException e) {
              return Stream.empty();
            }
          })
          .filter(line -> line.startsWith("JAVA_VERSION=\""))
          .map(line -> line.substring("JAVA_VERSION=\"".length()).split("[^0-9]")[0])
          .filter(feature -> !feature.isEmpty())
          .map(Integer::valueOf)
          .max(Integer::compare);
    }
  }

  /**
   * Runs a command from the project directory with the user's environment minus JAVA_HOME,
   * JAVA_OPTS and every BUBBLE_SANDBOX_ variable, plus {@code extra}; output kept in {@code where}.
   */
  private static CliProcess.Outcome run(Path where, Path jar, Map<String, String> extra, String... args)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(args).directory(LauncherShell.PROJECT.toFile());
    Map<String, String> environment = builder.environment();
    new HashMap<>(environment).keySet().stream()
        .filter(name -> name.startsWith("BUBBLE_SANDBOX_") || name.equals("JAVA_OPTS")
            || name.equals("JAVA_HOME"))
        .forEach(environment::remove);
    environment.put("BUBBLE_SANDBOX_JAR", jar.toString());
    environment.putAll(extra);
    Path out = where.resolve("stdout");
    Path err = where.resolve("stderr");
    Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(List.of(args) + " did not exit within 180 s");
    }
    return new CliProcess.Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** {@code bubble-sandbox execute-python -a -s 'print(1)'} with the JVM's logs in {@code dir}. */
  private CliProcess.Outcome printOne(Path jar, Map<String, String> extra)
      throws IOException, InterruptedException {
    Map<String, String> environment = new HashMap<>(extra);
    environment.put("JAVA_OPTS", jvmLogs());
    return run(dir, jar, environment, LauncherShell.BIN.resolve("bubble-sandbox").toString(),
        "execute-python", "-a", "-s", "print(1)");
  }

  private String jvmLogs() {
    return "-Xlog:class+load=info:file=" + dir.resolve("classes.log")
        + " -Xlog:gc+init=info:file=" + dir.resolve("gc.log");
  }

  /** Where the launched JVM found {@code className}: the AOT cache or archive, or the jar. */
  private String classSource(String className) throws IOException {
    return Files.readAllLines(dir.resolve("classes.log")).stream()
        .filter(line -> line.contains(" " + className + " "))
        .findFirst().orElseThrow(() -> new AssertionError(className + " was not loaded"));
  }

  /** The version of the JVM that ran, as it logs it at start. */
  private String jvmVersion() throws IOException {
    return Files.readAllLines(dir.resolve("gc.log")).stream()
        .filter(line -> line.contains("Version: "))
        .map(line -> line.substring(line.indexOf("Version: ") + "Version: ".length()).split(" ")[0])
        .findFirst().orElseThrow(() -> new AssertionError("the JVM logged no version"));
  }

  private static String stamp(String kind) throws IOException {
    return Files.readString(trained.resolve("bubble-sandbox-" + kind + ".aot.jdk")).strip();
  }

  /** A copy of the trained jar and its caches, modification times kept, for a test to spoil. */
  private Path copyOfTrained() throws IOException {
    try (Stream<Path> files = Files.list(trained)) {
      for (Path file : files.filter(path -> path.getFileName().toString().startsWith("bubble-sandbox"))
          .toList()) {
        Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    return dir.resolve("bubble-sandbox.jar");
  }

  private static void assertPrintedOne(CliProcess.Outcome outcome) {
    assertThat(outcome.stdout()).as(outcome.stderr()).isEqualTo("1\n");
    assertThat(outcome.exitCode()).isZero();
  }

  @Test
  @DisplayName("without JAVA_HOME the CLI runs on the newest Java and loads its classes from the AOT cache")
  void cliFromAotCache() throws Exception {
    CliProcess.Outcome outcome = printOne(trained.resolve("bubble-sandbox.jar"), Map.of());

    assertPrintedOne(outcome);
    assertThat(outcome.stderr()).isEmpty();
    assertThat(Runtime.Version.parse(jvmVersion()).feature()).isGreaterThanOrEqualTo(25);
    assertThat(stamp("cli")).startsWith(jvmVersion() + " " + JVM_DIR);
    assertThat(classSource("dev.bubblesandbox.cli.Main")).contains("shared objects file");
  }

  @Test
  @DisplayName("BUBBLE_SANDBOX_DEBUG names the Java, why it was chosen and the cache, on stderr only")
  void debugLine() throws Exception {
    Path jar = trained.resolve("bubble-sandbox.jar");
    CliProcess.Outcome outcome = printOne(jar, Map.of("BUBBLE_SANDBOX_DEBUG", "1"));

    assertPrintedOne(outcome);
    assertThat(outcome.stderr()).contains("(" + jvmVersion() + "), chosen as the newest Java under /usr/lib/jvm")
        .contains("AOT cache " + trained.resolve("bubble-sandbox-cli.aot"))
        // the variable is the launcher's: the program does not see it as an unknown setting
        .doesNotContain("BUBBLE_SANDBOX_DEBUG");
  }

  @Test
  @DisplayName("a cache older than the jar is passed over, and the debug line says so")
  void staleCacheSkipped() throws Exception {
    Path jar = copyOfTrained();
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));

    CliProcess.Outcome quiet = printOne(jar, Map.of());
    assertPrintedOne(quiet);
    assertThat(quiet.stderr()).isEmpty();
    assertThat(classSource("dev.bubblesandbox.cli.Main")).contains("source: file:");

    CliProcess.Outcome debug = printOne(jar, Map.of("BUBBLE_SANDBOX_DEBUG", "1"));
    assertPrintedOne(debug);
    assertThat(debug.stderr()).contains("AOT cache " + dir.resolve("bubble-sandbox-cli.aot")
        + " is older than the jar: running without it");
    assertThat(classSource("dev.bubblesandbox.cli.Main")).contains("source: file:");
  }

  @Test
  @DisplayName("a cache trained by another Java is passed over, and the debug line says so")
  void cacheOfAnotherJavaSkipped() throws Exception {
    Path jar = copyOfTrained();
    // rewritten in place: the cache stays newer than the jar, only its Java differs
    Files.writeString(dir.resolve("bubble-sandbox-cli.aot.jdk"), "25.0.0+1 /opt/another-jdk\n");

    CliProcess.Outcome debug = printOne(jar, Map.of("BUBBLE_SANDBOX_DEBUG", "1"));

    assertPrintedOne(debug);
    assertThat(debug.stderr()).contains("was trained by 25.0.0+1 /opt/another-jdk, not this one");
    assertThat(classSource("dev.bubblesandbox.cli.Main")).contains("source: file:");
  }

  @Test
  @DisplayName("a JAVA_HOME the user set wins: the tests' own Java runs the jar, with no AOT cache of another Java")
  void javaHomeWins() throws Exception {
    String ownJava = System.getProperty("java.home");

    CliProcess.Outcome outcome = printOne(trained.resolve("bubble-sandbox.jar"),
        Map.of("JAVA_HOME", ownJava, "BUBBLE_SANDBOX_DEBUG", "1"));

    assertPrintedOne(outcome);
    assertThat(jvmVersion()).isEqualTo(Runtime.version().toString());
    assertThat(outcome.stderr()).contains("chosen as JAVA_HOME");
    if (!stamp("cli").endsWith(" " + ownJava)) {
      // Java 17 in CI: no AOT cache of its own, and no class data archive beside this copy
      assertThat(classSource("dev.bubblesandbox.cli.Main")).contains("source: file:");
    }
  }

  @Test
  @DisplayName("with no Java 25 or later installed, java on PATH runs the jar")
  void javaOnPath() throws Exception {
    Path noJdks = Files.createDirectory(dir.resolve("no-jdks"));

    CliProcess.Outcome outcome = printOne(trained.resolve("bubble-sandbox.jar"),
        Map.of("BUBBLE_SANDBOX_JVM_DIR", noJdks.toString(), "BUBBLE_SANDBOX_DEBUG", "1"));

    assertPrintedOne(outcome);
    assertThat(outcome.stderr()).contains("chosen as java on PATH");
  }

  @Test
  @DisplayName("serve starts from its own AOT cache on the newest Java and serves an execution")
  void serveFromAotCache() throws Exception {
    Path workspace = Files.createTempDirectory("aot-serve-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = dir.resolve("serve.log");
    ProcessBuilder builder = new ProcessBuilder(LauncherShell.BIN.resolve("bubble-sandbox").toString(),
        "serve", "--port", Integer.toString(port)).directory(LauncherShell.PROJECT.toFile());
    Map<String, String> environment = builder.environment();
    new HashMap<>(environment).keySet().stream()
        .filter(name -> name.startsWith("BUBBLE_SANDBOX_") || name.equals("JAVA_OPTS")
            || name.equals("JAVA_HOME"))
        .forEach(environment::remove);
    environment.put("BUBBLE_SANDBOX_JAR", trained.resolve("bubble-sandbox.jar").toString());
    environment.put("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString());
    environment.put("BUBBLE_SANDBOX_LOG_LEVEL", "WARN");
    environment.put("JAVA_OPTS", jvmLogs());
    Process server = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThat(ServedMetrics.await(http, port, server)).as(Files.readString(log)).isNotNull();
      assertThat(Runtime.Version.parse(jvmVersion()).feature()).isGreaterThanOrEqualTo(25);
      assertThat(classSource("dev.bubblesandbox.server.BubbleSandboxServer")).contains("shared objects file");
    } finally {
      server.destroy();
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
      dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
    }
  }
}
