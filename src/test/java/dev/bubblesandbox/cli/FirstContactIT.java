package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a first-time user meets it: linked onto PATH and run from another directory,
 * in a shell that exports a client's {@code BUBBLE_SANDBOX_URL}, under {@code LANG=C}, with a
 * timeout, with {@code --json}, and {@code serve}'s first words.
 */
class FirstContactIT {

  @TempDir Path elsewhere;

  /** A {@code bin/bubble-sandbox} in {@link #elsewhere} that is a symlink to the checkout's. */
  private Path link;

  @BeforeEach
  void linkedElsewhere() throws Exception {
    // The sandbox uid must be able to reach a work dir in it.
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxr-xr-x"));
    link = Files.createSymbolicLink(Files.createDirectories(elsewhere.resolve("bin")).resolve("bubble-sandbox"),
        LauncherShell.BIN.resolve("bubble-sandbox"));
  }

  @AfterEach
  void unlink() throws Exception {
    // Before @TempDir's clean-up, which warns about a link that leads out of it.
    Files.delete(link);
  }

  @Test
  @DisplayName("a symlinked launcher run from another directory finds the install directory's environments")
  void symlinkFromElsewhere() throws Exception {
    CliProcess.Outcome listed = LauncherShell.run(elsewhere, Map.of(), "bin/bubble-sandbox list-environments -a");
    CliProcess.Outcome ran = LauncherShell.run(elsewhere, Map.of(),
        "bin/bubble-sandbox execute-python -a -s 'print(6 * 7)'");

    assertThat(listed.exitCode()).as(listed.stderr()).isZero();
    assertThat(listed.stdout()).contains("\"name\":\"bare\"");
    assertThat(ran.exitCode()).as(ran.stderr()).isZero();
    assertThat(ran.stdout()).isEqualTo("42\n");
  }

  @Test
  @DisplayName("-c FILE is the caller's (from the working directory), a relative path in it the install directory's")
  void configFileRelativeToCaller() throws Exception {
    Files.writeString(elsewhere.resolve("mine.yaml"), "environments_dir: no-such-environments\n");

    CliProcess.Outcome outcome = LauncherShell.run(elsewhere, Map.of(),
        "bin/bubble-sandbox list-environments -c mine.yaml");

    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stderr()).contains(
        "The environments directory " + LauncherShell.PROJECT.resolve("no-such-environments") + " does not exist");
  }

  @Test
  @DisplayName("an exported BUBBLE_SANDBOX_URL (a client's) is a warning on stderr, not a refusal; a typo gets 'did you mean'")
  void unknownVariables() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(LauncherShell.PROJECT, Map.of("BUBBLE_SANDBOX_URL",
        "http://127.0.0.1:8080", "BUBBLE_SANDBOX_EXECUTION_TIMEOUT_SECOND", "5"),
        "bubble-sandbox execute-python -a -s 'print(1)'");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(outcome.stdout()).isEqualTo("1\n");
    assertThat(outcome.stderr().lines()).containsExactly(
        "warning: Ignoring BUBBLE_SANDBOX_EXECUTION_TIMEOUT_SECOND: it is not a setting; "
            + "did you mean BUBBLE_SANDBOX_EXECUTION_TIMEOUT_SECONDS?",
        "warning: Ignoring BUBBLE_SANDBOX_URL: it is not a setting (the settings are listed in "
            + "docs/configuration.md).");
  }

  @Test
  @DisplayName("under LANG=C the launcher runs Java with UTF-8 file names: a script creates café.txt, doctor says UTF-8")
  void utf8UnderLangC() throws Exception {
    // The line is written to a file as UTF-8: passed as an argument, it would be encoded in this
    // JVM's own locale, which need not be UTF-8 either.
    Path script = Files.writeString(elsewhere.resolve("run.sh"), """
        unset LC_ALL LC_CTYPE LC_MESSAGES
        export LANG=C
        bubble-sandbox execute-python -w "$1" -a -s "open('café.txt', 'w').write('x')" || exit 1
        [ -f "$1/café.txt" ] && echo created café.txt
        bubble-sandbox doctor | grep 'file names'
        """, StandardCharsets.UTF_8);

    CliProcess.Outcome outcome = LauncherShell.run(LauncherShell.PROJECT, Map.of(), "sh " + script + " " + elsewhere);

    assertThat(outcome.stdout()).as(outcome.stderr()).isEqualTo("created café.txt\n"
        + "ok      file names are decoded as UTF-8 (sun.jnu.encoding, from the locale)\n");
  }

  @Test
  @DisplayName("doctor run by a bare java under LANG=C says file names are not UTF-8, and how to fix it")
  void doctorWithoutUtf8() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(elsewhere, Map.of(),
        "cp=$BUBBLE_SANDBOX_CLASSPATH; unset LC_ALL LC_CTYPE BUBBLE_SANDBOX_CLASSPATH; "
            + "LANG=C \"$JAVA_HOME/bin/java\" -cp \"$cp\" "
            + "dev.bubblesandbox.cli.Main doctor | grep -A1 'file names'");

    assertThat(outcome.stdout()).as(outcome.stderr()).startsWith(
        "MISSING file names are decoded as ANSI_X3.4-1968, not UTF-8")
        .contains("fix: run through bin/bubble-sandbox (it sets a UTF-8 locale), or start Java with LC_ALL=C.UTF-8");
  }

  @Test
  @DisplayName("a timeout prints the status the shell sees (137), in both text modes; --json keeps return_code -9")
  void timeoutStatus() throws Exception {
    for (String mode : new String[] {"", "-a"}) {
      CliProcess.Outcome outcome = LauncherShell.run(LauncherShell.PROJECT, Map.of(),
          "bubble-sandbox execute-python " + mode + " -t 1 -s 'while True: pass'; echo \"shell: $?\"");

      assertThat(outcome.stdout().lines()).as(mode).contains("Exited with code: 137", "shell: 137")
          .doesNotContain("Exited with code: -9");
    }
    CliProcess.Outcome json = LauncherShell.run(LauncherShell.PROJECT, Map.of(),
        "bubble-sandbox execute-python --json -t 1 -s 'while True: pass'");
    assertThat(json.exitCode()).isEqualTo(137);
    assertThat(new ObjectMapper().readTree(json.stdout()).get("return_code").asInt()).isEqualTo(-9);
  }

  @Test
  @DisplayName("--json takes the fast start path: neither picocli nor Jackson's data binding is loaded")
  void jsonFastPath() throws Exception {
    Path classes = elsewhere.resolve("classes.log");
    CliProcess.Outcome outcome = LauncherShell.run(LauncherShell.PROJECT,
        Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classes),
        "bubble-sandbox execute-python --json -s 'print(1)'");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(outcome.stdout()).startsWith("{\"stdout\":\"1\\n\",\"stderr\":\"\",\"return_code\":0,");
    String loaded = Files.readString(classes);
    assertThat(loaded).contains("dev.bubblesandbox.cli.ResultJson")
        .doesNotContain("com.fasterxml.jackson.databind").doesNotContain("picocli.");
  }

  @Test
  @DisplayName("serve, symlinked and run elsewhere with a client's BUBBLE_SANDBOX_URL: starts, logs a WARN, prints where it listens on stderr")
  void serveSaysWhereItListens() throws Exception {
    Path workspace = Files.createTempDirectory("first-contact-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path out = elsewhere.resolve("serve.out");
    Path err = elsewhere.resolve("serve.err");
    Process server = LauncherShell.builder(elsewhere, Map.of("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString(),
            "BUBBLE_SANDBOX_URL", "http://127.0.0.1:" + port),
            "exec bin/bubble-sandbox serve --port " + port)
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      String metrics = ServedMetrics.await(HttpClient.newHttpClient(), port, server);
      assertThat(metrics).as(Files.readString(out) + Files.readString(err)).isNotNull();
    } finally {
      new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
      dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
    }
    assertThat(Files.readString(err).lines()).contains("bubble-sandbox listening on http://127.0.0.1:" + port
        + "/ (the console page is at /, the API under /v1/)");
    assertThat(Files.readString(out).lines()).anySatisfy(line -> assertThat(line)
        .contains("\"message\":\"Ignoring BUBBLE_SANDBOX_URL: it is not a setting").contains("\"level\":\"WARN\""));
  }
}
