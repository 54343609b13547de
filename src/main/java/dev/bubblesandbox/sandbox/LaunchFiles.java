package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * One launch's files in the runner's private directory: the command the launcher's shell
 * sources, the program's source (see {@link Program}), and bwrap's status.
 */
record LaunchFiles(Path command, Path source, Path status) implements LaunchTrace {

  /** The files of the launch named {@code name} in {@code directory}. */
  static LaunchFiles in(Path directory, String name) {
    return new LaunchFiles(directory.resolve(name + ".sh"), directory.resolve(name + ".source"),
        directory.resolve(name + ".status"));
  }

  /** Writes the program's source (if it has one) and the command script, both new files. */
  void write(Optional<String> programSource, String commandScript) throws IOException {
    if (programSource.isPresent()) {
      Files.writeString(source, programSource.get(),
          StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
    Files.writeString(command, commandScript,
        StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /**
   * Whether bwrap executed the program: it writes {@code "exit-code"} to its status only when
   * the program's exec succeeded. Missing, the shell, the uid switch, bwrap's setup or the
   * program's exec failed.
   */
  @Override
  public boolean programExecuted() {
    try {
      return Files.readString(status, StandardCharsets.UTF_8).contains("\"exit-code\"");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void delete() {
    for (Path file : List.of(command, source, status)) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // left in the runner's private directory, removed with it
      }
    }
  }
}
