package dev.bubblesandbox.cli;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.InvalidLaunchException;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.output.ReturnCode;
import dev.bubblesandbox.sandbox.SandboxExecution;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.SandboxUser;
import dev.bubblesandbox.sandbox.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs one sandbox for a CLI command and prints the result in the chosen output mode. */
final class CliExecution {

  private CliExecution() {}

  /**
   * Runs {@code program} as {@code options} say and returns the CLI's exit status: the sandboxed
   * return code, or 128+N for a process ended by signal N, as a shell reports it.
   */
  static int run(SandboxOptions options, Program program, String title) throws InterruptedException {
    Settings settings = options.config.settings();
    ReadyEnvironment environment =
        EnvironmentsDirectory.catalog(settings).require(options.environment);
    List<Volume> volumes = options.volumes.stream().map(Volume::parse).toList();
    ExecutionLimits limits = ExecutionLimits.from(settings);
    if (options.timeoutSeconds != null) {
      if (options.timeoutSeconds <= 0) {
        throw new InvalidLaunchException("The timeout must be a positive number of seconds.");
      }
      limits = limits.withTimeout(Duration.ofSeconds(options.timeoutSeconds));
    }
    SandboxUser user = SandboxUser.forCurrentProcess(settings.sandboxUid());
    SandboxRunner runner = SandboxRunner.create(user);
    CliRun run = new CliRun(runner);
    try {
      runner.requireResourceLimits(settings.allowUnlimited());

      boolean live = !options.json && !options.agentMode;
      if (live) {
        Console.OUT.println(Console.rule(title));
      }
      Optional<Path> workdir = Optional.ofNullable(options.workdir).map(dir -> dir.toAbsolutePath().normalize());
      if (workdir.isPresent() && !Files.isDirectory(workdir.get())) {
        throw new InvalidLaunchException("Work directory " + workdir.get() + " does not exist.");
      }
      run.lend(lentDirectories(workdir, volumes));
      OutputListener listener = live ? CliExecution::printLive : OutputListener.NONE;
      SandboxExecution sandbox = run.start(new LaunchSpec(executionId(), environment,
          workdir, volumes, program, limits), listener);
      sandbox.closeStdin();
      ExecutionResult result = sandbox.await();
      // Ownership is given back (and the runner's groups and files removed) before the result
      // is printed, so that a caller that reads the result finds its files as they were.
      run.end();
      run.awaitExitIfStopped();
      print(result, options, live);
      return ReturnCode.toShellStatus(result.returnCode());
    } finally {
      run.end();
    }
  }

  /**
   * What the sandbox writes on the host: the work dir and rw volumes, by their real paths (a
   * link would be lent as the link, not as the directory bwrap binds).
   */
  private static List<Path> lentDirectories(Optional<Path> workdir, List<Volume> volumes) {
    List<Path> dirs = new ArrayList<>();
    workdir.ifPresent(dirs::add);
    volumes.stream().filter(Volume::writable).map(Volume::hostPath)
        .filter(Files::isDirectory).forEach(dirs::add);
    List<Path> real = new ArrayList<>();
    for (Path dir : dirs) {
      try {
        real.add(dir.toRealPath());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return real;
  }

  private static void printLive(OutputListener.Stream stream, String text) {
    (stream == OutputListener.Stream.STDOUT ? Console.OUT : Console.ERR).print(text);
  }

  private static void print(ExecutionResult result, SandboxOptions options, boolean live) {
    if (options.json) {
      Console.OUT.println(ResultJson.of(result));
      return;
    }
    // The status the shell sees (137 for a timeout's SIGKILL), not the JSON's -9.
    int status = ReturnCode.toShellStatus(result.returnCode());
    if (options.agentMode) {
      if (status != 0) {
        Console.OUT.println("Exited with code: " + status);
      }
      Console.OUT.print(result.stdout());
      Console.ERR.print(result.stderr());
      if (result.truncated()) {
        Console.OUT.println(result.stdout().endsWith("\n") || result.stdout().isEmpty()
            ? "<truncated>" : "\n<truncated>");
      }
      return;
    }
    if (live) {
      if (result.timedOut()) {
        Console.ERR.println("Timed out after " + result.durationMs() / 1000 + " s.");
      }
      if (result.truncated()) {
        Console.ERR.println("<truncated>");
      }
      if (status != 0) {
        Console.OUT.println("Exited with code: " + status);
      }
    }
  }

  /**
   * Unique on this host (it names the execution's output threads and log lines, as the server's
   * ids do; the cgroup is the launcher's own) without a random UUID, whose secure random source
   * would cost the CLI's start-up more than the sandbox does.
   */
  private static String executionId() {
    return "cli-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }
}
