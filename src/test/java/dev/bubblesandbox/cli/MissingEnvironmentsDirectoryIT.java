package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configured environments directory that does not exist: every command says so and how to
 * point at one, with the configuration error's status, instead of "no environments" or blaming
 * the sandbox uid. Relative, it is the install directory's, wherever the command runs.
 */
class MissingEnvironmentsDirectoryIT {

  @TempDir Path elsewhere;

  private static final Path MISSING = LauncherShell.PROJECT.resolve("no-such-environments");

  private CliProcess.Outcome runElsewhere(String line) throws Exception {
    return LauncherShell.run(elsewhere, Map.of("BUBBLE_SANDBOX_ENVIRONMENTS_DIR", "no-such-environments"), line);
  }

  @Test
  @DisplayName("list-environments (plain and --agent-mode): the missing directory and BUBBLE_SANDBOX_ENVIRONMENTS_DIR, status 125")
  void listEnvironments() throws Exception {
    for (String line : new String[] {"bubble-sandbox list-environments", "bubble-sandbox list-environments --agent-mode"}) {
      CliProcess.Outcome outcome = runElsewhere(line);

      assertThat(outcome.exitCode()).as(line).isEqualTo(125);
      assertThat(outcome.stdout()).as(line).isEmpty();
      assertThat(outcome.stderr()).as(line)
          .contains(MISSING + " does not exist")
          .contains("BUBBLE_SANDBOX_ENVIRONMENTS_DIR");
    }
  }

  @Test
  @DisplayName("execute: the same error, before any sandbox starts")
  void execute() throws Exception {
    CliProcess.Outcome outcome = runElsewhere("bubble-sandbox execute -a -- true");

    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stderr()).contains("does not exist").contains("BUBBLE_SANDBOX_ENVIRONMENTS_DIR");
  }

  @Test
  @DisplayName("doctor: says the directory is missing and how to point at one, does not blame the sandbox uid, status 125")
  void doctor() throws Exception {
    CliProcess.Outcome outcome = runElsewhere("bubble-sandbox doctor");

    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stdout())
        .contains("the environments directory " + MISSING + " does not exist")
        .contains("BUBBLE_SANDBOX_ENVIRONMENTS_DIR")
        .doesNotContain("cannot be reached");
  }

  @Test
  @DisplayName("by default, the install directory's environments: the same commands work from anywhere")
  void installDirectory() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(elsewhere, Map.of(), "bubble-sandbox list-environments -a");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(outcome.stdout()).contains("\"name\":\"bare\"");
  }
}
