package dev.bubblesandbox.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentCatalogTest {

  @TempDir Path temp;

  private Path root;
  private EnvironmentCatalog catalog;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(temp.resolve("environments"));
    declare("stats", "Statistics", "[\"pandas\", \"scipy>=1.10\"]");
    declare("bare", "Standard library only", "[]");
    Files.createDirectories(root.resolve("not-an-environment"));
    catalog = new EnvironmentCatalog(root);
  }

  private void declare(String name, String description, String dependencies) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    Files.writeString(dir.resolve("pyproject.toml"), "[project]\nname = \"" + name + "\"\n"
        + "description = \"" + description + "\"\ndependencies = " + dependencies + "\n");
  }

  /** A venv as sync leaves it: an executable bin/python, pyvenv.cfg and the sync stamp. */
  private void fakeSync(String name, String home) throws IOException {
    Path dir = root.resolve(name);
    Path venv = dir.resolve(".venv");
    Path python = Files.createDirectories(venv.resolve("bin")).resolve("python");
    Files.writeString(python, "#!/bin/sh\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(venv.resolve("pyvenv.cfg"), "home = " + home + "\nversion = 3.11.2\n");
    PyProject project = PyProject.read(dir.resolve("pyproject.toml"));
    new SyncStamp(SyncStamp.fingerprintOf(dir.resolve("pyproject.toml")), project.dependencies()).write(venv);
  }

  @Test
  @DisplayName("lists the declared environments sorted by name with description and dependencies")
  void listsDeclaredEnvironments() {
    List<Environment> environments = catalog.list();

    assertThat(environments).extracting(Environment::name).containsExactly("bare", "stats");
    Environment stats = environments.get(1);
    assertThat(stats.description()).isEqualTo("Statistics");
    assertThat(stats.dependencies()).containsExactly("pandas", "scipy>=1.10");
  }

  @Test
  @DisplayName("an environment without .venv is MISSING and has no Python version")
  void missingVenv() {
    Environment bare = catalog.describe("bare");

    assertThat(bare.readiness()).isEqualTo(Environment.Readiness.MISSING);
    assertThat(bare.ready()).isFalse();
    assertThat(bare.pythonVersion()).isEmpty();
  }

  @Test
  @DisplayName("a synced environment is READY and reports its Python version")
  void readyVenv() throws IOException {
    fakeSync("bare", "/usr/bin");

    Environment bare = catalog.describe("bare");
    assertThat(bare.readiness()).isEqualTo(Environment.Readiness.READY);
    assertThat(bare.pythonVersion()).contains("3.11.2");
    assertThat(catalog.require("bare").venv()).isEqualTo(root.resolve("bare/.venv"));
  }

  @Test
  @DisplayName("editing pyproject.toml after a sync makes the environment STALE")
  void editedPyprojectIsStale() throws IOException {
    fakeSync("stats", "/usr/bin");
    declare("stats", "Statistics", "[\"pandas\", \"scipy>=1.10\", \"numpy\"]");

    assertThat(catalog.describe("stats").readiness()).isEqualTo(Environment.Readiness.STALE);
  }

  @Test
  @DisplayName("a pyproject.toml that does not parse: that environment is INVALID with file, line and message; the others list")
  void invalidPyproject() throws IOException {
    fakeSync("bare", "/usr/bin");
    Path broken = Files.createDirectories(root.resolve("broken")).resolve("pyproject.toml");
    Files.writeString(broken, "[project]\nname = \"broken\"\ndependencies = [\"a\",\n  ?oops\n");

    List<Environment> environments = catalog.list();
    assertThat(environments).extracting(Environment::name).containsExactly("bare", "broken", "stats");
    Environment invalid = environments.get(1);
    assertThat(invalid.readiness()).isEqualTo(Environment.Readiness.INVALID);
    assertThat(invalid.ready()).isFalse();
    assertThat(invalid.error()).hasValueSatisfying(error -> assertThat(error)
        .startsWith(broken + ", line 4, column ").contains("not valid TOML: "));
    assertThat(environments.get(0).error()).isEmpty();
    assertThat(catalog.require("bare").venv()).isEqualTo(root.resolve("bare/.venv"));
    assertThat(EnvironmentSummary.of(invalid).error()).isEqualTo(invalid.error().get());
    assertThat(EnvironmentSummary.of(environments.get(0)).error()).isNull();

    assertThatThrownBy(() -> catalog.require("broken"))
        .isInstanceOf(EnvironmentNotReadyException.class)
        .hasMessageContaining("'broken'")
        .hasMessageContaining(invalid.error().get())
        .hasMessageNotContaining("no virtual environment");
  }

  @Test
  @DisplayName("a synced environment whose pyproject.toml is then broken refuses to run with the parser's message")
  void brokenAfterSync() throws IOException {
    fakeSync("stats", "/usr/bin");
    Files.writeString(root.resolve("stats/pyproject.toml"), "[project\n");

    assertThat(catalog.describe("stats").readiness()).isEqualTo(Environment.Readiness.INVALID);
    assertThatThrownBy(() -> catalog.require("stats"))
        .isInstanceOf(EnvironmentNotReadyException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("not valid TOML");
  }

  @Test
  @DisplayName("require() of a missing venv names the sync command that fixes it")
  void requireMissing() {
    assertThatThrownBy(() -> catalog.require("stats"))
        .isInstanceOf(EnvironmentNotReadyException.class)
        .hasMessageContaining("'stats'")
        .hasMessageContaining("sync-environments stats");
  }

  @Test
  @DisplayName("require() of a stale venv names the sync command that fixes it")
  void requireStale() throws IOException {
    fakeSync("stats", "/usr/bin");
    Files.writeString(root.resolve("stats/pyproject.toml"), "# edited\n",
        java.nio.file.StandardOpenOption.APPEND);

    assertThatThrownBy(() -> catalog.require("stats"))
        .isInstanceOf(EnvironmentNotReadyException.class)
        .hasMessageContaining("changed")
        .hasMessageContaining("sync-environments stats");
  }

  @Test
  @DisplayName("require() of an unknown environment lists the known ones")
  void requireUnknown() {
    assertThatThrownBy(() -> catalog.require("nope"))
        .isInstanceOf(UnknownEnvironmentException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining("bare, stats");
  }

  @Test
  @DisplayName("require() refuses a name that would resolve outside the environments directory")
  void requireTraversal() throws IOException {
    declare("../outside", "escaped", "[]");
    assertThat(temp.resolve("outside/pyproject.toml")).exists();

    assertThatThrownBy(() -> catalog.require("../outside"))
        .isInstanceOf(InvalidEnvironmentNameException.class);
  }

  @Test
  @DisplayName("require() binds the base interpreter prefix only when it lies outside /usr")
  void basePrefix() throws IOException {
    fakeSync("bare", "/usr/bin");
    fakeSync("stats", "/opt/python/3.12/bin");

    assertThat(catalog.require("bare").basePrefix()).isEmpty();
    assertThat(catalog.require("stats").basePrefix()).isEqualTo(Optional.of(Path.of("/opt/python/3.12")));
  }
}
