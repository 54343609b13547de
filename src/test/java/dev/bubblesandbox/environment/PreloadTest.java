package dev.bubblesandbox.environment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [tool.bubble-sandbox] preload}: read from {@code pyproject.toml}, checked once with the
 * venv's Python (here a shell script standing in for it: the import itself is the venv's
 * business), the verdict kept for that {@code pyproject.toml} and shown in the summary.
 */
class PreloadTest {

  @TempDir Path root;

  private Path declare(String name, String preload) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    Files.writeString(dir.resolve("pyproject.toml"), "[project]\nname = \"" + name + "\"\n"
        + "dependencies = [\"pandas\"]\n\n[tool.bubble-sandbox]\npreload = " + preload + "\n");
    return dir;
  }

  /** A synced venv whose python runs {@code body} (a shell script) with the import's arguments. */
  private void sync(Path dir, String body) throws IOException {
    Path venv = dir.resolve(".venv");
    Path python = Files.createDirectories(venv.resolve("bin")).resolve("python");
    Files.writeString(python, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(venv.resolve("pyvenv.cfg"), "home = /usr/bin\nversion = 3.11.2\n");
    PyProject project = PyProject.read(dir.resolve("pyproject.toml"));
    new SyncStamp(SyncStamp.fingerprintOf(dir.resolve("pyproject.toml")), project.dependencies()).write(venv);
  }

  @Test
  @DisplayName("the preload list is read from [tool.bubble-sandbox]; none declared is an empty list")
  void readsPreloadList() throws IOException {
    Path dir = declare("stats", "[\"pandas\", \"numpy.linalg\"]");
    assertThat(PyProject.read(dir.resolve("pyproject.toml")).preload()).containsExactly("pandas", "numpy.linalg");

    Path plain = Files.createDirectories(root.resolve("plain"));
    Files.writeString(plain.resolve("pyproject.toml"), "[project]\nname = \"plain\"\n");
    assertThat(PyProject.read(plain.resolve("pyproject.toml")).preload()).isEmpty();
  }

  @Test
  @DisplayName("modules that import: no error, the verdict kept in the venv for this pyproject.toml")
  void importingPreload() throws IOException {
    Path dir = declare("stats", "[\"pandas\"]");
    sync(dir, "echo called >> \"$(dirname \"$0\")/../calls\"; exit 0");
    EnvironmentCatalog catalog = new EnvironmentCatalog(root);

    Environment environment = catalog.describe("stats");
    assertThat(environment.preload()).isEqualTo(new Preload(List.of("pandas"), Optional.empty()));
    assertThat(environment.preload().usable()).containsExactly("pandas");
    catalog.describe("stats");
    // Checked once: the second look read the kept verdict.
    assertThat(Files.readAllLines(dir.resolve(".venv/calls"))).hasSize(1);
    EnvironmentSummary summary = EnvironmentSummary.of(environment);
    assertThat(summary.preload()).containsExactly("pandas");
    assertThat(summary.preloadError()).isNull();
  }

  @Test
  @DisplayName("a module that fails to import is reported with Python's reason and is not preloaded")
  void failingPreload() throws IOException {
    Path dir = declare("broken", "[\"no_such_module\"]");
    sync(dir, "echo \"no_such_module: ModuleNotFoundError: No module named 'no_such_module'\"; exit 1");

    Environment environment = new EnvironmentCatalog(root).describe("broken");

    assertThat(environment.ready()).isTrue();
    assertThat(environment.preload().error())
        .contains("no_such_module: ModuleNotFoundError: No module named 'no_such_module'");
    assertThat(environment.preload().usable()).isEmpty();
    assertThat(EnvironmentSummary.of(environment).preloadError()).contains("No module named");
  }

  @Test
  @DisplayName("a name that is no module name is refused without running anything")
  void invalidModuleName() throws IOException {
    Path dir = declare("odd", "[\"os; import shutil\"]");
    sync(dir, "touch \"$(dirname \"$0\")/../ran\"; exit 0");

    Environment environment = new EnvironmentCatalog(root).describe("odd");

    assertThat(environment.preload().error()).contains("'os; import shutil' is not a module name");
    assertThat(dir.resolve(".venv/ran")).doesNotExist();
  }

  @Test
  @DisplayName("an environment not synced yet is not checked")
  void notReadyNotChecked() throws IOException {
    declare("later", "[\"pandas\"]");

    Environment environment = new EnvironmentCatalog(root).describe("later");

    assertThat(environment.ready()).isFalse();
    assertThat(environment.preload().modules()).containsExactly("pandas");
    assertThat(environment.preload().error()).isEmpty();
  }
}
