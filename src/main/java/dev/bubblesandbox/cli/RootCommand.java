package dev.bubblesandbox.cli;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ExitStatus;
import dev.bubblesandbox.cli.mcp.McpCommand;
import dev.bubblesandbox.cli.repl.ReplCommand;
import dev.bubblesandbox.config.ClosestName;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bubble-sandbox} command and its subcommands. */
@Command(name = "bubble-sandbox",
    versionProvider = RootCommand.Version.class,
    description = "Run untrusted Python inside disposable bubblewrap sandboxes.",
    subcommands = {
      ListEnvironmentsCommand.class,
      ExecutePythonCommand.class,
      ExecCommandCommand.class,
      ExecuteCommand.class,
      ReplCommand.class,
      SyncEnvironmentsCommand.class,
      DoctorCommand.class,
      ServeCommand.class,
      ClusterCertsCommand.class,
      McpCommand.class
    })
public final class RootCommand implements Callable<Integer> {

  /** Exit status for a usage or configuration error, as {@code docker run} uses. */
  public static final int USAGE_ERROR = ExitStatus.USAGE_ERROR;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  /** {@code -v} as the original CLI spells it; {@code -V} as picocli's subcommands do. */
  @CommandLine.Option(names = {"-v", "-V", "--version"}, versionHelp = true,
      description = "Print the version and exit.")
  boolean version;

  /** No command: the usage, on stderr since nothing ran, with the usage error's status. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE_ERROR;
  }

  /**
   * The configured command line: UTF-8 output, one clear line per error, and the status of the
   * error's code (125 for a usage or configuration error).
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new RootCommand());
    commandLine.setOut(new PrintWriter(Console.OUT, true));
    commandLine.setErr(new PrintWriter(Console.ERR, true));
    commandLine.setParameterExceptionHandler((e, args) -> {
      CommandLine failed = e.getCommandLine();
      failed.getErr().println("error: " + unknownCommand(e).orElse(e.getMessage()));
      failed.getErr().println("See '" + failed.getCommandSpec().qualifiedName() + " --help'.");
      return USAGE_ERROR;
    });
    commandLine.setExecutionExceptionHandler((e, failed, parseResult) -> failure(e, failed.getErr()));
    return commandLine;
  }

  /**
   * For a first argument that names no command ({@code exec-pyhton}): "unknown command", with
   * the closest command when one is close. picocli's own message ("Unmatched argument at index
   * 0") does not say that a command was expected.
   */
  static Optional<String> unknownCommand(CommandLine.ParameterException e) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched)
        || e.getCommandLine().getParent() != null || unmatched.getUnmatched().isEmpty()) {
      return Optional.empty();
    }
    String typed = unmatched.getUnmatched().get(0);
    if (typed.startsWith("-")) {
      return Optional.empty();
    }
    Map<String, CommandLine> commands = e.getCommandLine().getSubcommands();
    return Optional.of("unknown command '" + typed + "'"
        + ClosestName.to(typed, commands.keySet())
            .map(name -> "; did you mean '" + commands.get(name).getCommandName() + "'?")
            .orElse("; the commands are: " + String.join(", ",
                commands.values().stream().map(CommandLine::getCommandName).distinct().toList()) + "."));
  }

  /**
   * The exit status of a command that failed with {@code e}, after one {@code error:} line on
   * {@code err}: the status of the error's code, 125 for a file named on the command line that
   * cannot be read; anything else is rethrown (a bug: picocli prints its stack trace).
   */
  static int failure(Exception e, PrintWriter err) throws Exception {
    if (e instanceof BubbleSandboxException known) {
      err.println("error: " + known.getMessage());
      return known.code().exitStatus();
    }
    if (e instanceof UncheckedIOException || e instanceof java.io.IOException) {
      // A file named on the command line that cannot be read: a usage error.
      err.println("error: " + e.getMessage());
      return USAGE_ERROR;
    }
    throw e;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = RootCommand.class.getPackage().getImplementationVersion();
      return new String[] {"bubble-sandbox " + (version == null ? "development" : version)};
    }
  }
}
