package dev.bubblesandbox.cli;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.EnvironmentSync;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sync-environments}: creates or updates the venvs; does nothing when they are in step. */
@Command(name = "sync-environments", mixinStandardHelpOptions = true,
    description = "Create or update the virtual environments (all, or those named).")
public final class SyncEnvironmentsCommand implements Callable<Integer> {

  @Mixin ConfigOption config = new ConfigOption();

  @Parameters(paramLabel = "NAME", arity = "0..*", description = "Environments to sync (default: all).")
  List<String> names = List.of();

  @Override
  public Integer call() {
    Settings settings = config.settings();
    EnvironmentCatalog catalog = new EnvironmentCatalog(settings.environmentsDir());
    EnvironmentSync sync = new EnvironmentSync(catalog, settings.python());
    List<String> targets = names.isEmpty() ? catalog.names() : names;
    for (String name : targets) {
      Console.OUT.println(name + ": syncing");
      EnvironmentSync.Outcome outcome = sync.sync(name, line -> Console.ERR.println("  " + line));
      Console.OUT.println(name + ": " + outcome.name().toLowerCase(Locale.ROOT));
    }
    return 0;
  }
}
