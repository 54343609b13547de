package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run outside the project, the default environments directory ({@code environments}, relative to
 * the current directory) does not exist: every command says so and how to point at one, with the
 * configuration error's status, instead of "no environments" or blaming the sandbox uid.
 */
class MissingEnvironmentsDirectoryIT {

  @TempDir Path elsewhere;

  private CliProcess.Outcome runElsewhere(String line) throws Exception {
    return LauncherShell.run(elsewhere, Map.of(), line);
  }

  @Test
  @DisplayName("list-environments (plain and --agent-mode): the missing directory and BUBBLE_SANDBOX_ENVIRONMENTS_DIR, status 125")
  void listEnvironments() throws Exception {
    for (String line : new String[] {"bubble-sandbox list-environments", "bubble-sandbox list-environments --agent-mode"}) {
      CliProcess.Outcome outcome = runElsewhere(line);

      assertThat(outcome.exitCode()).as(line).isEqualTo(125);
      assertThat(outcome.stdout()).as(line).isEmpty();
      assertThat(outcome.stderr()).as(line)
          .contains(elsewhere.toRealPath().resolve("environments") + " does not exist")
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
        .contains("the environments directory " + elsewhere.toRealPath().resolve("environments") + " does not exist")
        .contains("BUBBLE_SANDBOX_ENVIRONMENTS_DIR")
        .doesNotContain("cannot be reached");
  }

  @Test
  @DisplayName("pointed at the project's environments, the same commands work from anywhere")
  void pointed() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(elsewhere, Map.of("BUBBLE_SANDBOX_ENVIRONMENTS_DIR",
        LauncherShell.PROJECT.resolve("environments").toString()), "bubble-sandbox list-environments -a");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(outcome.stdout()).contains("\"name\":\"bare\"");
  }
}
