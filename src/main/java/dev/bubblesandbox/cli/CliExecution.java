package dev.bubblesandbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.ExecutionResult;
import dev.bubblesandbox.sandbox.InvalidLaunchException;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Limits;
import dev.bubblesandbox.sandbox.OutputListener;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.SandboxUser;
import dev.bubblesandbox.sandbox.Volume;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        new EnvironmentCatalog(settings.environmentsDir()).require(options.environment);
    List<Volume> volumes = options.volumes.stream().map(Volume::parse).toList();
    Limits limits = Limits.from(settings);
    if (options.timeoutSeconds != null) {
      if (options.timeoutSeconds <= 0) {
        throw new InvalidLaunchException("The timeout must be a positive number of seconds.");
      }
      limits = limits.withTimeout(Duration.ofSeconds(options.timeoutSeconds));
    }
    SandboxUser user = SandboxUser.forCurrentProcess(settings.sandboxUid());
    SandboxRunner runner = SandboxRunner.create(user);
    runner.requireResourceLimits(settings.allowUnlimited());

    boolean live = !options.json && !options.agentMode;
    if (live) {
      Console.OUT.println(Console.rule(title));
    }
    Optional<Path> workdir = Optional.ofNullable(options.workdir).map(dir -> dir.toAbsolutePath().normalize());
    if (workdir.isPresent()) {
      if (!Files.isDirectory(workdir.get())) {
        throw new InvalidLaunchException("Work directory " + workdir.get() + " does not exist.");
      }
      user.handOver(workdir.get());
    }
    ExecutionResult result = execute(runner, new LaunchSpec(executionId(), environment,
        workdir, volumes, program, limits), live);
    print(result, options, live);
    return exitStatus(result.returnCode());
  }

  private static ExecutionResult execute(SandboxRunner runner, LaunchSpec spec, boolean live)
      throws InterruptedException {
    OutputListener listener = live ? CliExecution::printLive : OutputListener.NONE;
    var sandbox = runner.start(spec, listener);
    sandbox.closeStdin();
    return sandbox.await();
  }

  private static void printLive(OutputListener.Stream stream, String text) {
    (stream == OutputListener.Stream.STDOUT ? Console.OUT : Console.ERR).print(text);
  }

  private static void print(ExecutionResult result, SandboxOptions options, boolean live) {
    if (options.json) {
      try {
        Console.OUT.println(new ObjectMapper().writeValueAsString(result));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    if (options.agentMode) {
      if (result.returnCode() != 0) {
        Console.OUT.println("Exited with code: " + result.returnCode());
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
      if (result.returnCode() != 0) {
        Console.OUT.println("Exited with code: " + result.returnCode());
      }
    }
  }

  /**
   * Unique on this host (it names the execution's cgroups) without a random UUID, whose secure
   * random source would cost the CLI's start-up more than the sandbox does.
   */
  private static String executionId() {
    return "cli-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }

  static int exitStatus(int returnCode) {
    return returnCode < 0 ? 128 - returnCode : returnCode;
  }
}
