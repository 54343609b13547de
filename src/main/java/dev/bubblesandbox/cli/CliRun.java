package dev.bubblesandbox.cli;

import dev.bubblesandbox.cli.handover.OwnershipHandover;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.SandboxExecution;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.SandboxUnavailableException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What one CLI run holds on the host, and its end: the sandbox, the runner's groups and private
 * files, and directories lent to the sandbox uid. {@link #end} ends them in order (kill the
 * sandbox, wait until its processes and groups are gone, remove the files, give the directories
 * back), once, whether the run ends normally or the JVM is stopped by SIGINT or SIGTERM (a
 * shutdown hook). Everything the hook undoes is done under the same lock, so a signal never
 * finds half of it.
 */
final class CliRun {

  /** How long a killed sandbox may take to be gone before the run gives up waiting. */
  private static final long END_SECONDS = 30;

  private final SandboxRunner runner;
  private final Thread hook = new Thread(this::endQuietly, "bubble-sandbox-cli-shutdown");
  private OwnershipHandover handover;
  private SandboxExecution sandbox;
  private boolean closed;
  private volatile boolean stopped;

  CliRun(SandboxRunner runner) {
    this.runner = runner;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Lends {@code dirs} to the sandbox uid until {@link #end}; nothing when it runs as us. */
  synchronized void lend(List<Path> dirs) {
    requireOpen();
    if (runner.user().dropTo().isPresent() && !dirs.isEmpty()) {
      handover = OwnershipHandover.record(dirs, runner.user().dropTo().getAsInt());
      handover.handOver();
    }
  }

  synchronized SandboxExecution start(LaunchSpec spec, OutputListener listener) {
    requireOpen();
    sandbox = runner.start(spec, listener);
    return sandbox;
  }

  private void requireOpen() {
    if (closed) {
      throw new SandboxUnavailableException("The run was stopped.");
    }
  }

  /**
   * Kills the sandbox if it still runs and waits for it to end, which (the result follows the
   * group's kill) means no process of it is left to race the ownership walk; then removes the
   * runner's groups and files and gives the lent directories back.
   */
  synchronized void end() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (sandbox != null) {
        if (!sandbox.result().isDone()) {
          sandbox.kill();
        }
        try {
          sandbox.result().get(END_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
          // ended by a failure: the launcher has killed what it started
        }
      }
      runner.close();
      if (handover != null) {
        handover.restore();
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: this is the hook
      }
    }
  }

  /**
   * When SIGINT or SIGTERM stopped the run, waits for the JVM to finish exiting, which it does
   * with status 128+N once the shutdown hook is done; otherwise returns at once. A result that
   * the hook's kill produced is not the script's and is not printed.
   */
  void awaitExitIfStopped() throws InterruptedException {
    if (stopped) {
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  private void endQuietly() {
    stopped = true;
    try {
      end();
    } catch (InterruptedException | RuntimeException e) {
      Console.ERR.println("error: cleaning up after the run: " + e.getMessage());
    }
  }
}
