package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's own exit status comes from the failure's error code (README's exit-status table). */
class CliExitStatusIT {

  @TempDir Path environments;

  @Test
  @DisplayName("An environment never synced: status 124 and the command that fixes it, not 125")
  void environmentNotReady() throws Exception {
    Path unsynced = Files.createDirectories(environments.resolve("unsynced"));
    Files.writeString(unsynced.resolve("pyproject.toml"),
        "[project]\nname = \"unsynced\"\nversion = \"0.1.0\"\ndependencies = []\n");
    for (String[] args : new String[][] {{"execute-python", "-e", "unsynced", "-s", "print(1)"},
        {"execute-python", "--json", "-e", "unsynced", "-s", "print(1)"}}) {
      CliProcess.Outcome outcome = CliProcess.run(
          Map.of("BUBBLE_SANDBOX_ENVIRONMENTS_DIR", environments.toString()), args);

      assertThat(outcome.exitCode()).as(outcome.stderr()).isEqualTo(124);
      assertThat(outcome.stdout()).isEmpty();
      assertThat(outcome.stderr()).startsWith("error: ").contains("sync-environments unsynced")
          .doesNotContain("Exception");
    }
  }

  @Test
  @DisplayName("An unknown environment stays a usage error: 125")
  void unknownEnvironmentIsUsage() throws Exception {
    CliProcess.Outcome outcome = CliProcess.run(
        Map.of("BUBBLE_SANDBOX_ENVIRONMENTS_DIR", environments.toString()), "execute", "-e", "nope", "--", "true");
    assertThat(outcome.exitCode()).as(outcome.stderr()).isEqualTo(125);
    assertThat(outcome.stderr()).startsWith("error: ").contains("nope");
  }
}
