package dev.bubblesandbox.config;

import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * The directory bubble-sandbox is installed in: the checkout (or the image's
 * {@code /opt/bubble-sandbox}) that holds {@code bin/}, {@code conf/}, {@code environments/} and
 * {@code target/bubble-sandbox.jar}. Relative paths in settings, and the default configuration
 * file, resolve against it, not against the caller's working directory: a symlinked
 * {@code bubble-sandbox} on PATH is run from anywhere.
 *
 * <p>The launcher names it ({@value #PROPERTY}); a jar started with {@code java -jar} finds it
 * from its own place ({@code DIR/target/bubble-sandbox.jar}, or {@code DIR/bubble-sandbox.jar});
 * classes run from a class path (the tests) take the working directory, which is the checkout.
 */
public final class InstallDirectory {

  /** The system property the launcher sets to its checkout. */
  public static final String PROPERTY = "bubble.sandbox.home";

  private static final Path PATH = find();

  private InstallDirectory() {}

  /** The install directory, absolute. */
  public static Path path() {
    return PATH;
  }

  /** {@code path} when absolute, else resolved against the install directory. */
  public static Path resolve(Path path) {
    return path.isAbsolute() ? path : PATH.resolve(path).normalize();
  }

  private static Path find() {
    String named = System.getProperty(PROPERTY, "");
    if (!named.isBlank()) {
      return Path.of(named).toAbsolutePath().normalize();
    }
    return jarDirectory().orElseGet(() -> Path.of("").toAbsolutePath());
  }

  private static Optional<Path> jarDirectory() {
    CodeSource source = InstallDirectory.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    try {
      Path location = Path.of(source.getLocation().toURI()).toAbsolutePath();
      if (!Files.isRegularFile(location) || location.getParent() == null) {
        return Optional.empty();
      }
      Path directory = location.getParent();
      boolean inTarget = directory.getFileName() != null && directory.getFileName().toString().equals("target")
          && directory.getParent() != null;
      return Optional.of(inTarget ? directory.getParent() : directory);
    } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
      return Optional.empty();
    }
  }
}
