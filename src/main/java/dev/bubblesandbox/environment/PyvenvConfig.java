package dev.bubblesandbox.environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The {@code pyvenv.cfg} of a virtual environment: where its base interpreter lives. */
public record PyvenvConfig(Map<String, String> values) {

  /** Reads {@code venv/pyvenv.cfg}. */
  public static PyvenvConfig read(Path venv) {
    Map<String, String> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(venv.resolve("pyvenv.cfg"))) {
        int equals = line.indexOf('=');
        if (equals > 0) {
          values.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PyvenvConfig(Map.copyOf(values));
  }

  /** The Python version, as {@code venv} ({@code version}) or uv ({@code version_info}) write it. */
  public Optional<String> pythonVersion() {
    return Optional.ofNullable(values.getOrDefault("version", values.get("version_info")));
  }

  /**
   * The base interpreter's prefix (the parent of {@code home}, its bin directory) when it lies
   * outside {@code /usr}; a prefix inside {@code /usr} is already bound into every sandbox.
   */
  public Optional<Path> basePrefixOutsideUsr() {
    return Optional.ofNullable(values.get("home"))
        .map(home -> Path.of(home).toAbsolutePath().normalize().getParent())
        .filter(prefix -> prefix != null && !prefix.startsWith("/usr"));
  }
}
