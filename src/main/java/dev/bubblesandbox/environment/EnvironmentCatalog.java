package dev.bubblesandbox.environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The environments of one directory: {@code <dir>/<name>/pyproject.toml} declares each, and its
 * venv lives in {@code <dir>/<name>/.venv}.
 */
public final class EnvironmentCatalog {

  static final String PYPROJECT = "pyproject.toml";
  static final String VENV = ".venv";

  private static final Pattern DIRECTORY_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  private final Path root;
  /** Environments found ready, by name, with the state of the files that made them so. */
  private final Map<String, Checked> ready = new ConcurrentHashMap<>();

  private record Checked(List<Map<String, Object>> files, ReadyEnvironment environment) { }

  public EnvironmentCatalog(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** Every environment, sorted by name. */
  public List<Environment> list() {
    return names().stream().map(this::describe).toList();
  }

  /** The names of the declared environments, sorted. */
  public List<String> names() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(root)) {
      return children
          .filter(dir -> Files.isRegularFile(dir.resolve(PYPROJECT)))
          .map(dir -> dir.getFileName().toString())
          .filter(name -> DIRECTORY_NAME.matcher(name).matches() && !name.startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One environment with its declaration and readiness; for a ready one with preload modules,
   * whether they import (checked once per sync, see {@link PreloadCheck}).
   */
  public Environment describe(String name) {
    Path directory = directoryOf(name);
    PyProject project;
    try {
      project = PyProject.read(directory.resolve(PYPROJECT));
    } catch (EnvironmentSyncException invalid) {
      return new Environment(name, "", List.of(), Optional.empty(), Environment.Readiness.INVALID, directory,
          new Preload(List.of(), Optional.empty()), Optional.of(invalid.getMessage()));
    }
    Path venv = directory.resolve(VENV);
    Optional<String> pythonVersion =
        Files.isRegularFile(venv.resolve("pyvenv.cfg"))
            ? PyvenvConfig.read(venv).pythonVersion()
            : Optional.empty();
    Environment.Readiness readiness = readiness(directory);
    Preload preload = readiness == Environment.Readiness.READY
        ? PreloadCheck.of(venv, SyncStamp.fingerprintOf(directory.resolve(PYPROJECT)), project.preload())
        : new Preload(project.preload(), Optional.empty());
    return new Environment(
        name,
        project.description(),
        project.dependencies(),
        pythonVersion,
        readiness,
        directory,
        preload,
        Optional.empty());
  }

  /**
   * Resolves a ready environment for a launch, cheaply: no TOML parsing and no hashing, only a
   * comparison of {@code pyproject.toml} with the copy of it that the last sync stamped (see
   * {@link SyncStamp}).
   *
   * @throws InvalidEnvironmentNameException for a name that is not one
   * @throws UnknownEnvironmentException when no such environment is declared
   * @throws EnvironmentNotReadyException when its venv is missing or stale
   */
  public ReadyEnvironment require(String name) {
    Path directory = directoryOf(name);
    // Every launch and every look of the warm pool asks: while none of the files that
    // readiness reads has changed since it was last found ready, a look at them is enough.
    List<Map<String, Object>> files = filesState(directory);
    Checked checked = ready.get(name);
    if (checked != null && checked.files().equals(files)) {
      return checked.environment();
    }
    Environment.Readiness readiness = readiness(directory);
    if (readiness != Environment.Readiness.READY) {
      // Parsed only on the way to a refusal: a broken file says so, not "sync it".
      try {
        PyProject.read(directory.resolve(PYPROJECT));
      } catch (EnvironmentSyncException invalid) {
        throw new EnvironmentNotReadyException("Environment '" + name + "' cannot run: " + invalid.getMessage());
      }
    }
    switch (readiness) {
      case MISSING -> throw new EnvironmentNotReadyException(
          "Environment '" + name + "' has no virtual environment yet; run: "
              + "bubble-sandbox sync-environments " + name);
      case STALE -> throw new EnvironmentNotReadyException(
          "Environment '" + name + "' changed since its last sync; run: "
              + "bubble-sandbox sync-environments " + name);
      case READY, INVALID -> { }
    }
    Path venv = directory.resolve(VENV);
    ReadyEnvironment environment = new ReadyEnvironment(name, venv, PyvenvConfig.read(venv).basePrefixOutsideUsr());
    if (!files.isEmpty()) {
      ready.put(name, new Checked(files, environment));
    }
    return environment;
  }

  /**
   * The identity, size, times, mode and owner of the files readiness reads (one stat each);
   * empty when one is missing. The change time is in it: an edit that keeps the size and puts
   * the modification time back still changes it.
   */
  private static List<Map<String, Object>> filesState(Path directory) {
    Path venv = directory.resolve(VENV);
    List<Map<String, Object>> state = new ArrayList<>();
    for (Path file : List.of(directory.resolve(PYPROJECT), venv.resolve(SyncStamp.FILE_NAME),
        venv.resolve("pyvenv.cfg"), venv.resolve("bin/python"))) {
      try {
        state.add(fileState(file));
      } catch (IOException e) {
        return List.of();
      }
    }
    return state;
  }

  private static Map<String, Object> fileState(Path file) throws IOException {
    return Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime,mode,uid,gid");
  }

  /**
   * What identifies the environment's last sync: it changes with every sync, so that warm
   * sandboxes started from the venv before it can be told apart and retired.
   */
  public String syncVersion(String name) {
    try {
      return fileState(directoryOf(name).resolve(VENV).resolve(SyncStamp.FILE_NAME)).toString();
    } catch (IOException e) {
      return "";
    }
  }

  Path directoryOf(String name) {
    Path directory = root.resolve(EnvironmentName.validate(name));
    if (!Files.isRegularFile(directory.resolve(PYPROJECT))) {
      throw new UnknownEnvironmentException(
          "Unknown environment '" + name + "'; known environments: "
              + String.join(", ", names()) + ".");
    }
    return directory;
  }

  static Environment.Readiness readiness(Path directory) {
    Path venv = directory.resolve(VENV);
    if (!Files.isExecutable(venv.resolve("bin/python"))) {
      return Environment.Readiness.MISSING;
    }
    return SyncStamp.read(venv)
        .filter(stamp -> stamp.pyprojectFingerprint().equals(SyncStamp.fingerprintOf(directory.resolve(PYPROJECT))))
        .map(stamp -> Environment.Readiness.READY)
        .orElse(Environment.Readiness.STALE);
  }
}
