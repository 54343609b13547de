package dev.bubblesandbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.environment.Environment;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.EnvironmentSummary;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code list-environments}: the environments, what they hold and whether they are ready. */
@Command(name = "list-environments", mixinStandardHelpOptions = true,
    description = "List the environments, their dependencies, Python version and readiness.")
public final class ListEnvironmentsCommand implements Callable<Integer> {

  @Mixin ConfigOption config = new ConfigOption();

  @Option(names = {"-a", "--agent-mode", "--json"},
      description = "Print JSON for agents and scripts: {\"environments\": [{\"name\", \"description\", "
          + "\"dependencies\", \"python_version\", \"ready\", \"preload\", \"preload_error\", \"error\"}]}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    EnvironmentCatalog catalog = EnvironmentsDirectory.catalog(config.settings());
    List<Environment> environments = catalog.list();
    if (json) {
      List<EnvironmentSummary> summaries = environments.stream().map(EnvironmentSummary::of).toList();
      Console.OUT.println(new ObjectMapper().writeValueAsString(Map.of("environments", summaries)));
      return 0;
    }
    if (environments.isEmpty()) {
      Console.OUT.println("No environments in " + catalog.root() + ".");
      return 0;
    }
    String format = "%-16s %-8s %-8s %-30s %s%n";
    Console.OUT.printf(format, "NAME", "STATUS", "PYTHON", "DEPENDENCIES", "DESCRIPTION");
    for (Environment environment : environments) {
      Console.OUT.printf(format, environment.name(),
          environment.readiness().name().toLowerCase(Locale.ROOT),
          environment.pythonVersion().orElse("-"),
          environment.dependencies().isEmpty() ? "-" : String.join(", ", environment.dependencies()),
          environment.description());
    }
    for (Environment environment : environments) {
      environment.error().ifPresent(error -> Console.OUT.println("Environment '" + environment.name()
          + "' is invalid: " + error));
      environment.preload().error().ifPresent(error -> Console.OUT.println("Environment '"
          + environment.name() + "': its preload modules do not import (" + error
          + "); its warm sandboxes start without them."));
    }
    if (environments.stream().anyMatch(environment -> !environment.ready())) {
      Console.OUT.println("Make them ready with: bubble-sandbox sync-environments");
    }
    return 0;
  }
}
