package dev.bubblesandbox.environment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Imports an environment's preload modules once with its venv's Python and keeps the verdict in
 * the venv ({@link #FILE_NAME}), tied to the {@code pyproject.toml} it was made for: sync makes
 * it, and a venv synced before preloads existed gets it on first look. The import runs as sync's
 * installs run, with an empty environment and the venv as the working directory.
 */
final class PreloadCheck {

  static final String FILE_NAME = ".bubble-sandbox-preload";

  private static final String OK = "ok";
  private static final long TIMEOUT_SECONDS = 120;

  /** Imports each argument in turn; the first failure is printed on one line, exit 1. */
  private static final String IMPORTER = "import sys\n"
      + "for m in sys.argv[1:]:\n"
      + " try:__import__(m)\n"
      + " except BaseException as e:print(m+': '+type(e).__name__+': '+str(e).splitlines()[0]"
      + " if str(e) else m+': '+type(e).__name__);sys.exit(1)\n";

  private PreloadCheck() {}

  /** The verdict for {@code modules} in a ready {@code venv}: the kept one, else a new one. */
  static Preload of(Path venv, String pyprojectFingerprint, List<String> modules) {
    Optional<Preload> refused = refused(modules);
    if (refused.isPresent()) {
      return refused.get();
    }
    Optional<Optional<String>> kept = read(venv, pyprojectFingerprint);
    if (kept.isPresent()) {
      return new Preload(modules, kept.get());
    }
    return check(venv, pyprojectFingerprint, modules);
  }

  /** Imports {@code modules} now and keeps the verdict (when the venv is writable). */
  static Preload check(Path venv, String pyprojectFingerprint, List<String> modules) {
    Optional<Preload> refused = refused(modules);
    if (refused.isPresent()) {
      return refused.get();
    }
    Optional<String> error = importAll(venv, modules);
    List<String> lines = new ArrayList<>(List.of(pyprojectFingerprint));
    lines.add(error.orElse(OK));
    try {
      Files.write(venv.resolve(FILE_NAME), lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // a read-only venv: checked again next time
    }
    return new Preload(modules, error);
  }

  /** The verdict that needs no import: none to import, or a name that is no module name. */
  private static Optional<Preload> refused(List<String> modules) {
    if (modules.isEmpty()) {
      return Optional.of(Preload.NONE);
    }
    return Preload.invalidName(modules)
        .map(invalid -> new Preload(modules, Optional.of("'" + invalid + "' is not a module name")));
  }

  private static Optional<Optional<String>> read(Path venv, String fingerprint) {
    try {
      List<String> lines = Files.readAllLines(venv.resolve(FILE_NAME), StandardCharsets.UTF_8);
      if (lines.size() < 2 || !lines.get(0).equals(fingerprint)) {
        return Optional.empty();
      }
      return Optional.of(lines.get(1).equals(OK) ? Optional.empty() : Optional.of(lines.get(1)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> importAll(Path venv, List<String> modules) {
    List<String> command = new ArrayList<>(List.of(venv.resolve("bin/python").toString(), "-c", IMPORTER));
    command.addAll(modules);
    Path output = null;
    try {
      // A file, not a pipe: a module that prints much cannot block the import on a full pipe.
      output = Files.createTempFile("bubble-sandbox-preload", ".out");
      ProcessBuilder builder = new ProcessBuilder(command).directory(venv.toFile())
          .redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().clear();
      builder.environment().put("PATH", venv.resolve("bin") + ":/usr/bin:/bin");
      builder.environment().put("LANG", "C.UTF-8");
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.of("importing took longer than " + TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() == 0) {
        return Optional.empty();
      }
      String last = Files.readString(output, StandardCharsets.UTF_8).strip().lines().reduce((first, second) -> second).orElse("");
      return Optional.of(last.isEmpty() ? "the import exited with " + process.exitValue() : last);
    } catch (IOException e) {
      return Optional.of("cannot run the venv's Python: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException e) {
          // a temporary file left in the temporary directory
        }
      }
    }
  }
}
