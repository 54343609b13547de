package dev.bubblesandbox.sandbox;

import static org.awaitility.Awaitility.await;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Real sandboxes for the integration tests: the repository's synced environments, the same uid
 * switch as the CLI (host uid 64000 when the tests run as root) and short limits.
 */
public final class Sandboxes {

  public static final Path ENVIRONMENTS = Path.of("environments");
  public static final long TMPFS_SIZE = 64L * 1024 * 1024;
  public static final ExecutionLimits LIMITS = new ExecutionLimits(Duration.ofSeconds(30), 1024 * 1024, TMPFS_SIZE);

  public static final SandboxUser USER = SandboxUser.forCurrentProcess(Settings.defaults().sandboxUid());
  public static final SandboxRunner RUNNER = SandboxRunner.create(USER);

  private Sandboxes() {}

  static ReadyEnvironment bare() {
    return new EnvironmentCatalog(ENVIRONMENTS).require("bare");
  }

  public static LaunchSpec python(Path workDir, List<Volume> volumes, ExecutionLimits limits, String script) {
    return new LaunchSpec(UUID.randomUUID().toString(), bare(), workDir, volumes,
        Program.python(script), limits);
  }

  /** Runs {@code script} in a fresh temporary work dir, with stdin closed. */
  public static ExecutionResult runPython(String script) throws InterruptedException {
    return runPython(LIMITS, script);
  }

  public static ExecutionResult runPython(ExecutionLimits limits, String script) throws InterruptedException {
    try (TemporaryWorkDir work = temporaryWorkDir()) {
      return run(python(work.path(), List.of(), limits, script));
    }
  }

  public static ExecutionResult run(LaunchSpec spec) throws InterruptedException {
    SandboxExecution sandbox = RUNNER.start(spec, OutputListener.NONE);
    sandbox.closeStdin();
    return sandbox.await();
  }

  /** Runs {@code script} with {@code runner} in a fresh temporary work dir, with stdin closed. */
  public static ExecutionResult run(SandboxRunner runner, String script) throws InterruptedException {
    try (TemporaryWorkDir work = temporaryWorkDir()) {
      SandboxExecution sandbox = runner.start(python(work.path(), List.of(), LIMITS, script), OutputListener.NONE);
      sandbox.closeStdin();
      return sandbox.await();
    }
  }

  public static TemporaryWorkDir temporaryWorkDir() {
    return TemporaryWorkDir.create(Path.of(System.getProperty("java.io.tmpdir")), USER);
  }

  /** A number no other test (or test run) uses, to find "sleep N" processes on the host. */
  public static String uniqueSleepSeconds() {
    return Long.toString(1_000_000L + (System.nanoTime() & 0xFFFFFF));
  }

  /**
   * Host pids still running {@code argv} after up to {@code grace} of waiting for them to go: a
   * leaked process stays far longer. Leaked processes are killed so that a failure leaves nothing.
   */
  public static List<Long> survivors(Duration grace, String... argv) {
    List<Long> pids;
    try {
      pids = await().atMost(grace).pollInterval(Duration.ofMillis(50))
          .until(() -> HostProcesses.withArgv(argv), List::isEmpty);
    } catch (ConditionTimeoutException e) {
      pids = HostProcesses.withArgv(argv);
    }
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    return pids;
  }
}
