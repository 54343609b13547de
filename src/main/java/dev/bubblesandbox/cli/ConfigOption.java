package dev.bubblesandbox.cli;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code -c/--config} option shared by every command, and the settings it leads to. */
public final class ConfigOption {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file (default: conf/config.yaml of the install directory, when it exists).")
  Path configFile;

  /**
   * Defaults, the configuration file, BUBBLE_SANDBOX_* variables, then bubble-sandbox.* system
   * properties (the server's order, without starting Vert.x); one {@code warning:} line on
   * stderr for each such variable or property that names no setting.
   */
  public Settings settings() {
    return SettingsLoader.loadForProcess(Optional.ofNullable(configFile),
        warning -> Console.ERR.println("warning: " + warning));
  }
}
