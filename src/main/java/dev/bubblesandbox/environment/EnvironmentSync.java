package dev.bubblesandbox.environment;

import dev.bubblesandbox.HostFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Creates or updates an environment's venv with the ordinary Python tooling: {@code uv} when it is
 * on PATH, else {@code python -m venv} and {@code pip}. A venv whose declared dependencies changed
 * is rebuilt from scratch so that removed packages are really gone.
 */
public final class EnvironmentSync {

  /** What a sync did. */
  public enum Outcome {
    CREATED,
    REBUILT,
    UNCHANGED
  }

  private final EnvironmentCatalog catalog;
  private final String python;
  private final Optional<Path> uv;

  public EnvironmentSync(EnvironmentCatalog catalog, String python) {
    this(catalog, python, HostFiles.findOnPath("uv"));
  }

  EnvironmentSync(EnvironmentCatalog catalog, String python, Optional<Path> uv) {
    this.catalog = catalog;
    this.python = python;
    this.uv = uv;
  }

  /** Syncs one environment; {@code progress} receives the tools' output lines. */
  public Outcome sync(String name, Consumer<String> progress) {
    Path directory = catalog.directoryOf(name);
    Path pyproject = directory.resolve(EnvironmentCatalog.PYPROJECT);
    Path venv = directory.resolve(EnvironmentCatalog.VENV);
    PyProject project = PyProject.read(pyproject);
    SyncStamp wanted = new SyncStamp(SyncStamp.fingerprintOf(pyproject), project.dependencies());

    Optional<SyncStamp> current =
        Files.isExecutable(venv.resolve("bin/python")) ? SyncStamp.read(venv) : Optional.empty();
    if (current.isPresent() && current.get().dependencies().equals(wanted.dependencies())) {
      wanted.write(venv);
      checkPreload(venv, wanted, project, progress);
      return Outcome.UNCHANGED;
    }
    boolean existed = Files.exists(venv);
    try {
      HostFiles.deleteRecursively(venv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (uv.isPresent()) {
      run(progress, uv.get().toString(), "venv", "--quiet", "--python", python, venv.toString());
      install(progress, project.dependencies(),
          uv.get().toString(), "pip", "install", "--python", venv.resolve("bin/python").toString());
    } else {
      run(progress, python, "-m", "venv", venv.toString());
      install(progress, project.dependencies(),
          venv.resolve("bin/python").toString(), "-m", "pip", "install",
          "--disable-pip-version-check", "--no-input");
    }
    // Written last: a venv without a stamp is never taken for ready.
    wanted.write(venv);
    checkPreload(venv, wanted, project, progress);
    return existed ? Outcome.REBUILT : Outcome.CREATED;
  }

  /**
   * Imports the preload modules once in the new venv: a failure is reported here and by
   * {@code list-environments}, and leaves the environment usable without them.
   */
  private static void checkPreload(Path venv, SyncStamp stamp, PyProject project, Consumer<String> progress) {
    Preload preload = PreloadCheck.check(venv, stamp.pyprojectFingerprint(), project.preload());
    preload.error().ifPresent(error -> progress.accept("warning: the preload modules do not import ("
        + error + "); warm sandboxes start without them"));
  }

  private static void install(Consumer<String> progress, List<String> dependencies, String... command) {
    if (dependencies.isEmpty()) {
      return;
    }
    List<String> argv = new ArrayList<>(List.of(command));
    argv.addAll(dependencies);
    run(progress, argv.toArray(String[]::new));
  }

  private static void run(Consumer<String> progress, String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      try (var lines = process.inputReader().lines()) {
        lines.forEach(progress);
      }
      int status = process.waitFor();
      if (status != 0) {
        throw new EnvironmentSyncException(
            "'" + String.join(" ", command) + "' failed with exit code " + status + ".");
      }
    } catch (IOException e) {
      throw new EnvironmentSyncException("Cannot run '" + command[0] + "': " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EnvironmentSyncException("Interrupted while running '" + command[0] + "'.");
    }
  }

}
