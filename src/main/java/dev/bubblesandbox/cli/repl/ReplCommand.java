package dev.bubblesandbox.cli.repl;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.InvalidLaunchException;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.SandboxUser;
import dev.bubblesandbox.sandbox.kernel.KernelObserver;
import dev.bubblesandbox.sandbox.kernel.KernelSettings;
import dev.bubblesandbox.sandbox.kernel.SessionKernel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code repl}: an interactive Python kernel in the terminal. One {@link SessionKernel} on a
 * sandbox runner made as the run commands make theirs, its state kept from one input to the
 * next; it ends, with its processes and groups, on Ctrl-D.
 */
@Command(name = "repl", mixinStandardHelpOptions = true,
    description = "An interactive Python kernel inside a sandbox: variables live on from one input to the "
        + "next, results print as text, images are saved to the work directory. Ctrl-C interrupts the "
        + "running code (its state stays), Ctrl-D ends.")
public final class ReplCommand implements Callable<Integer> {

  /** The run commands' default environment. */
  private static final String DEFAULT_ENVIRONMENT = "bare";
  private static final String REDIRECT_PIPE_MODE = "org.jline.terminal.exec.redirectPipeCreationMode";

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", defaultValue = DEFAULT_ENVIRONMENT,
      description = "Environment to run in (default: ${DEFAULT-VALUE}).")
  String environment = DEFAULT_ENVIRONMENT;

  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR",
      description = "Host directory bound read-write at /sandbox/work, where images are saved (default: a "
          + "new temporary directory, removed at the end). Run as root, it is lent to the sandbox uid and "
          + "given back to its owner at the end, with what the kernel created.")
  Path workdir;

  @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS",
      description = "Wall-clock timeout of each input (default: the configured execution_timeout_seconds).")
  Integer timeoutSeconds;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file (default: conf/config.yaml of the install directory, when it exists).")
  Path configFile;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
        StandardCharsets.UTF_8);
    Settings settings = SettingsLoader.loadForProcess(Optional.ofNullable(configFile),
        warning -> err.println("warning: " + warning));
    EnvironmentCatalog catalog = new EnvironmentCatalog(settings.environmentsDir());
    if (!Files.isDirectory(catalog.root())) {
      throw new EnvironmentsMissing(catalog.root());
    }
    ReadyEnvironment ready = catalog.require(environment);
    ExecutionLimits limits = ExecutionLimits.from(settings);
    if (timeoutSeconds != null) {
      if (timeoutSeconds <= 0) {
        throw new InvalidLaunchException("The timeout must be a positive number of seconds.");
      }
      limits = limits.withTimeout(Duration.ofSeconds(timeoutSeconds));
    }
    SandboxUser user = SandboxUser.forCurrentProcess(settings.sandboxUid());
    SandboxRunner runner = SandboxRunner.create(user);
    ReplRun run = new ReplRun(runner);
    try {
      runner.requireResourceLimits(settings.allowUnlimited());
      ReplWorkDir work = run.workDir(ReplWorkDir.open(workdir, user));
      LaunchSpec template = new LaunchSpec("repl-" + ProcessHandle.current().pid(), ready,
          work.path(), List.of(), Program.python(""), limits);
      SessionKernel kernel = run.kernel(
          SessionKernel.open(runner, template, KernelSettings.from(settings), KernelObserver.NONE));
      // JLine's default loads its native library to probe a redirected stdout, which Java 24+
      // warns about on stderr ("A restricted method ... has been called"); reflection does not
      if (System.getProperty(REDIRECT_PIPE_MODE) == null) {
        System.setProperty(REDIRECT_PIPE_MODE, "reflection");
      }
      Terminal terminal = run.terminal(TerminalBuilder.builder().name("bubble-sandbox")
          .system(true).dumb(true).encoding(StandardCharsets.UTF_8).build());
      LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal)
          .appName("bubble-sandbox").parser(new Repl.PythonParser())
          // Python's '!' and '\' are code, not history events or escapes
          .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
          .option(LineReader.Option.INSERT_TAB, true)
          .option(LineReader.Option.HISTORY_REDUCE_BLANKS, false);
      HistoryFile.in(System.getenv()).ifPresent(file -> builder.variable(LineReader.HISTORY_FILE, file));
      LineReader reader = builder.build();
      terminal.writer().println("Python in environment '" + environment + "', working in " + work.path()
          + (work.temporary() ? " (removed at the end)" : "") + ". Ctrl-C interrupts, Ctrl-D ends.");
      terminal.writer().flush();
      return new Repl(terminal, reader, kernel, limits,
          new BundleText(work.path(), user::handOver), run.executor()).run();
    } finally {
      run.end();
    }
  }

  /** The environments directory does not exist. */
  static final class EnvironmentsMissing extends BubbleSandboxException {
    EnvironmentsMissing(Path root) {
      super(ErrorCode.ENVIRONMENTS_DIR_MISSING, "The environments directory " + root
          + " does not exist; set BUBBLE_SANDBOX_ENVIRONMENTS_DIR (or environments_dir in the file "
          + "given with -c).");
    }
  }
}
