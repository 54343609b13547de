package dev.bubblesandbox.environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the last successful sync installed, kept inside the venv. Readiness compares only the
 * digest of {@code pyproject.toml}'s bytes, so checking it needs no TOML parsing on every launch;
 * sync compares the dependency list, so an edited description does not reinstall anything.
 */
record SyncStamp(String pyprojectDigest, List<String> dependencies) {

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
    lines.add(pyprojectDigest);
    lines.addAll(dependencies);
    try {
      Files.write(venv.resolve(FILE_NAME), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String digestOf(Path pyproject) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(pyproject));
      return HexFormat.of().formatHex(hash);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
