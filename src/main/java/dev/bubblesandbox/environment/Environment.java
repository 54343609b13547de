package dev.bubblesandbox.environment;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One environment as listed to users: what {@code pyproject.toml} declares and whether its venv
 * is ready to run, and for a ready one whether its preload modules import. An environment whose
 * {@code pyproject.toml} does not parse is {@link Readiness#INVALID}, with {@code error} saying
 * where and why; the others are listed and run as usual.
 */
public record Environment(
    String name,
    String description,
    List<String> dependencies,
    Optional<String> pythonVersion,
    Readiness readiness,
    Path directory,
    Preload preload,
    Optional<String> error) {

  public Environment {
    dependencies = List.copyOf(dependencies);
  }

  public boolean ready() {
    return readiness == Readiness.READY;
  }

  /** Whether a venv exists and matches the declared dependencies. */
  public enum Readiness {
    READY,
    /** No synced venv. */
    MISSING,
    /** A venv synced from an older {@code pyproject.toml}. */
    STALE,
    /** A {@code pyproject.toml} that does not parse: nothing can be synced or run from it. */
    INVALID
  }
}
