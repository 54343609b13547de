package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One environment with a broken {@code pyproject.toml} is listed as invalid; the others still list and run. */
class InvalidEnvironmentIT {

  @TempDir Path environments;

  private Map<String, String> pointed() throws Exception {
    Files.createSymbolicLink(environments.resolve("bare"), LauncherShell.PROJECT.resolve("environments/bare"));
    Path broken = Files.createDirectories(environments.resolve("broken"));
    Files.writeString(broken.resolve("pyproject.toml"), "[project]\nname = \"broken\"\ndependencies = [\n  ?\n");
    Files.setPosixFilePermissions(environments, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    return Map.of("BUBBLE_SANDBOX_ENVIRONMENTS_DIR", environments.toString());
  }

  @Test
  @DisplayName("list-environments (plain and --json) exits 0, lists every environment, the broken one with file, line and message")
  void listed() throws Exception {
    Map<String, String> environment = pointed();
    CliProcess.Outcome plain = LauncherShell.run(LauncherShell.PROJECT, environment, "bubble-sandbox list-environments");
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout()).contains("bare ").containsPattern("broken +invalid")
        .contains("Environment 'broken' is invalid: " + environments.resolve("broken/pyproject.toml") + ", line 4");

    CliProcess.Outcome json = LauncherShell.run(LauncherShell.PROJECT, environment, "bubble-sandbox list-environments --json");
    assertThat(json.exitCode()).as(json.stderr()).isZero();
    assertThat(json.stdout()).contains("\"name\":\"bare\"").contains("\"error\":null")
        .contains("\"name\":\"broken\"").contains("\"error\":\"" + environments.resolve("broken/pyproject.toml") + ", line 4");
  }

  @Test
  @DisplayName("running in the broken environment says what is wrong with its file; the others run")
  void run() throws Exception {
    Map<String, String> environment = pointed();
    CliProcess.Outcome broken = LauncherShell.run(LauncherShell.PROJECT, environment,
        "bubble-sandbox execute-python -e broken -s 'print(1)'");
    assertThat(broken.exitCode()).isNotZero();
    assertThat(broken.stdout() + broken.stderr()).contains("not valid TOML").contains("line 4")
        .doesNotContain("no virtual environment");

    CliProcess.Outcome bare = LauncherShell.run(LauncherShell.PROJECT, environment,
        "bubble-sandbox execute-python -e bare -s 'print(6 * 7)'");
    assertThat(bare.exitCode()).as(bare.stderr()).isZero();
    assertThat(bare.stdout()).contains("42");
  }
}
