package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.sandbox.SandboxUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage and configuration errors: exit status 125 and one clear line, never a stack trace. */
class CliErrorsIT {

  @TempDir Path temp;

  private static void assertOneLineError(CliProcess.Outcome outcome, String... mentions) {
    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stdout()).doesNotContain("Exited with code");
    assertThat(outcome.stderr().lines()).hasSize(1);
    assertThat(outcome.stderr()).startsWith("error: ").contains(mentions)
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("an unknown environment: 125 and the known environments")
  void unknownEnvironment() throws Exception {
    assertOneLineError(CliProcess.run("execute-python", "-e", "no-such-env", "-s", "print(1)"),
        "no-such-env", "bare", "pandas-only");
  }

  @Test
  @DisplayName("an invalid environment name: 125")
  void invalidEnvironmentName() throws Exception {
    assertOneLineError(CliProcess.run("execute-python", "-e", "../environments/bare", "-s", "print(1)"),
        "Invalid environment name");
  }

  @Test
  @DisplayName("a missing script file: 125 naming the file")
  void missingScriptFile() throws Exception {
    Path missing = temp.resolve("missing.py");
    assertOneLineError(CliProcess.run("execute-python", "-f", missing.toString()), missing.toString());
  }

  @Test
  @DisplayName("bad volume syntax: 125 showing the expected form")
  void badVolume() throws Exception {
    assertOneLineError(CliProcess.run("exec-command", "-v", "just-a-name", "true"),
        "just-a-name", "NAME,HOST_PATH");
  }

  @Test
  @DisplayName("a missing volume directory: 125 naming it")
  void missingVolumeDirectory() throws Exception {
    Path missing = temp.resolve("absent");
    assertOneLineError(CliProcess.run("exec-command", "-v", "data," + missing, "true"), missing.toString());
  }

  @Test
  @DisplayName("a bad configuration value: 125 naming the setting and its variable")
  void badConfigurationValue() throws Exception {
    assertOneLineError(
        CliProcess.run(Map.of("BUBBLE_SANDBOX_MAX_OUTPUT_BYTES", "abc"), "execute-python", "-s", "print(1)"),
        "max_output_bytes", "BUBBLE_SANDBOX_MAX_OUTPUT_BYTES", "abc");
  }

  @Test
  @DisplayName("a zero timeout: 125")
  void zeroTimeout() throws Exception {
    assertOneLineError(CliProcess.run("execute-python", "-t", "0", "-s", "print(1)"), "timeout");
  }

  @Test
  @DisplayName("an unknown option: 125 and a pointer to --help")
  void unknownOption() throws Exception {
    CliProcess.Outcome outcome = CliProcess.run("execute-python", "--no-such-option");

    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stderr()).contains("--no-such-option").contains("--help")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("a work dir or volume below a directory the sandbox cannot search: 125 naming it, not bwrap's exit 1")
  void unreachableDirectories() throws Exception {
    Path work = Files.createDirectory(temp.resolve("work"));
    Path data = Files.createDirectory(temp.resolve("data"));
    // As root the sandbox runs as uid 64000, which cannot pass a 0700 directory of root's;
    // unprivileged, it runs as this user, which a 0000 directory stops.
    boolean root = SandboxUser.forCurrentProcess(64_000).dropTo().isPresent();
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(root ? "rwx------" : "---------"));
    try {
      assertOneLineError(CliProcess.run("execute", "-w", work.toString(), "--", "true"), work.toString());
      assertOneLineError(CliProcess.run("execute", "-v", "data," + data, "--", "true"), data.toString());
    } finally {
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx------"));
    }
  }
}
