package dev.bubblesandbox.cli;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code -c/--config} option shared by every command, and the settings it leads to. */
public final class ConfigOption {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file (default: conf/config.yaml of the install directory, when it exists).")
  Path configFile;

  /**
   * Defaults, the configuration file, then BUBBLE_SANDBOX_* variables; one {@code warning:} line
   * on stderr for each such variable that names no setting.
   */
  public Settings settings() {
    Map<String, String> environment = System.getenv();
    SettingsLoader.unknownVariables(environment).forEach(warning -> Console.ERR.println("warning: " + warning));
    return SettingsLoader.load(Optional.ofNullable(configFile), environment);
  }
}
