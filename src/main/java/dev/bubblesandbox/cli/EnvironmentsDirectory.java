package dev.bubblesandbox.cli;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.config.InstallDirectory;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configured environments directory for a CLI command. {@code environments_dir} defaults to
 * {@code environments} of the install directory; one configured elsewhere may not exist, which is
 * a configuration error to explain, not "no environments".
 */
final class EnvironmentsDirectory {

  private EnvironmentsDirectory() {}

  /**
   * The catalog of the configured directory.
   *
   * @throws Missing when the directory does not exist
   */
  static EnvironmentCatalog catalog(Settings settings) {
    EnvironmentCatalog catalog = new EnvironmentCatalog(settings.environmentsDir());
    if (!Files.isDirectory(catalog.root())) {
      throw new Missing(catalog.root());
    }
    return catalog;
  }

  /** One line on how to point the CLI at the environments. */
  static String howToPoint() {
    return "set BUBBLE_SANDBOX_ENVIRONMENTS_DIR=/path/to/environments (or environments_dir in the "
        + "file given with -c); a relative path is taken from the install directory "
        + InstallDirectory.path();
  }

  /** The environments directory does not exist. */
  static final class Missing extends BubbleSandboxException {
    Missing(Path root) {
      super(ErrorCode.ENVIRONMENTS_DIR_MISSING, "The environments directory " + root + " does not exist; " + howToPoint() + ".");
    }
  }
}
