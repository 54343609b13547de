package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI runs scripts past Linux's 128 KiB argument limit, given with -f, on stdin, or with -s
 * and as an exec-command line (those two in this JVM: the kernel caps the CLI's own arguments
 * too, so no process could be handed them).
 */
class CliLargeScriptIT {

  /** 500 KiB of string literal. */
  private static final String LITERAL = "x = '" + "a".repeat(500 * 1024) + "'\n";
  /** The literal, then a line that reports its length and sys.argv. */
  private static final String SCRIPT = LITERAL + "import sys\nprint(len(x), sys.argv)\n";

  @TempDir Path temp;

  @BeforeEach
  void reachableTemp() throws IOException {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  @DisplayName("execute-python -f runs a 500 KiB file")
  void fromFile() throws Exception {
    Path script = Files.writeString(temp.resolve("big.py"), SCRIPT);

    CliProcess.Outcome outcome = CliProcess.run("execute-python", "-a", "-f", script.toString());

    assertThat(outcome.stderr()).isEmpty();
    assertThat(outcome.stdout()).isEqualTo("512000 ['-c']\n");
    assertThat(outcome.exitCode()).isZero();
  }

  @Test
  @DisplayName("execute-python reads a 500 KiB script from stdin")
  void fromStdin() throws Exception {
    Process process = CliProcess.builder(Map.of(), "execute-python", "-a")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    process.getOutputStream().write(SCRIPT.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(stdout).isEqualTo("512000 ['-c']\n");
    assertThat(process.exitValue()).isZero();
  }

  @Test
  @DisplayName("execute-python -s and exec-command take 500 KiB of code")
  void inline() throws Exception {
    Path work = Files.createDirectory(temp.resolve("work"));

    int python = RootCommand.commandLine().execute("execute-python", "-a", "-w", work.toString(), "-s",
        // In this JVM: nothing on stdout, which is the test runner's channel.
        LITERAL + "open('python.txt', 'w').write(str(len(x)))\n");
    int shell = RootCommand.commandLine().execute("exec-command", "-a", "-w", work.toString(),
        "x=" + "b".repeat(500 * 1024) + "; echo ${#x} $0 > shell.txt");

    assertThat(python).isZero();
    assertThat(shell).isZero();
    assertThat(Files.readString(work.resolve("python.txt"))).isEqualTo("512000");
    assertThat(Files.readString(work.resolve("shell.txt"))).isEqualTo("512000 sh\n");
  }
}
