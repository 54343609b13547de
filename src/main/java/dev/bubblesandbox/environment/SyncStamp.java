package dev.bubblesandbox.environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What the last successful sync installed, kept inside the venv. Readiness compares only the
 * bytes of {@code pyproject.toml}, so checking it needs no TOML parsing on every launch;
 * sync compares the dependency list, so an edited description does not reinstall anything.
 */
record SyncStamp(String pyprojectFingerprint, List<String> dependencies) {

  static final String FILE_NAME = ".bubble-sandbox-sync";

  static Optional<SyncStamp> read(Path venv) {
    Path file = venv.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(file);
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new SyncStamp(lines.get(0), new ArrayList<>(lines.subList(1, lines.size()))));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  void write(Path venv) {
    List<String> lines = new ArrayList<>();
    lines.add(pyprojectFingerprint);
    lines.addAll(dependencies);
    try {
      Files.write(venv.resolve(FILE_NAME), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The whole file, Base64-encoded on one line: an exact comparison that, unlike a SHA-256
   * digest, loads no security provider on the CLI's hot path.
   */
  static String fingerprintOf(Path pyproject) {
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(pyproject));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
