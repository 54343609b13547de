package dev.bubblesandbox.cli.repl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the repl keeps its input history: {@code bubble-sandbox/repl_history} in the user's state
 * directory ({@code $XDG_STATE_HOME}, else {@code ~/.local/state}). None when that cannot be
 * written: the history then lasts as long as the repl.
 */
final class HistoryFile {

  private static final String NAME = "repl_history";

  private HistoryFile() {}

  /** The history file for a process with {@code environment}, made ready to write, or empty. */
  static Optional<Path> in(Map<String, String> environment) {
    Optional<Path> stateHome = Optional.ofNullable(environment.get("XDG_STATE_HOME"))
        .filter(dir -> !dir.isBlank()).map(Path::of).filter(Path::isAbsolute)
        .or(() -> Optional.ofNullable(environment.get("HOME")).filter(dir -> !dir.isBlank())
            .map(home -> Path.of(home, ".local", "state")).filter(Path::isAbsolute));
    if (stateHome.isEmpty()) {
      return Optional.empty();
    }
    Path dir = stateHome.get().resolve("bubble-sandbox");
    Path file = dir.resolve(NAME);
    try {
      Files.createDirectories(dir);
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    boolean writable = Files.exists(file) ? Files.isWritable(file) : Files.isWritable(dir);
    return writable ? Optional.of(file) : Optional.empty();
  }
}
