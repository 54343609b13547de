package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One execution running in a sandbox on this host: feed its stdin, kill it, or wait for its
 * result. Made by {@link SandboxRunner#start} or {@link LauncherPool#start}.
 *
 * <p>The names along one execution's way, each for one thing:
 * <ul>
 *   <li>{@link LaunchSpec}: what to run and within which {@link ExecutionLimits};
 *   <li>{@link Launcher}: one launch made ready ahead of its execution (a shell in its groups),
 *       which starts bwrap with the command {@link LaunchCommand} builds;
 *   <li>{@code SandboxExecution} (this): the execution once started, as the sandbox package
 *       hands it out; {@link ExecutionWatcher} watches it to its {@link ExecutionResult};
 *   <li>{@code server.bus.WorkerExecution}: what the server's sandbox worker keeps of it (this, and
 *       the writer of its stdin), answering commands over the event bus;
 *   <li>{@code server.bus.ClientExecution}: what the API holds of it (its id, its end, and the
 *       commands it may send: stdin, end of stdin, kill).
 * </ul>
 */
public final class SandboxExecution {

  private final Process process;
  private final ResourceControl.Group group;
  private final CompletableFuture<ExecutionResult> result;
  private volatile boolean killed;

  public SandboxExecution(Process process, ResourceControl.Group group, CompletableFuture<ExecutionResult> result) {
    this.process = process;
    this.group = group;
    this.result = result;
  }

  /** Writes to the sandboxed process's stdin; blocks while its pipe is full. */
  public void writeStdin(byte[] data) throws IOException {
    OutputStream stdin = process.getOutputStream();
    stdin.write(data);
    stdin.flush();
  }

  /** Closes stdin so the process reads end-of-file. */
  public void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // the process is gone already: nothing is waiting for the end-of-file
    }
  }

  /** Kills the whole sandbox, whatever runs in it. */
  public void kill() {
    killed = true;
    killAll(process, group);
  }

  /** Kills through the execution's group where there is one, and through the process tree. */
  static void killAll(Process process, ResourceControl.Group group) {
    group.killAll();
    killTree(process);
  }

  /**
   * Kills bwrap's child, the init of the sandbox's PID namespace (its death takes every process
   * of the namespace along), then bwrap itself. Killing bwrap alone is not enough: its
   * {@code --die-with-parent} signal is lost once the child switches to the sandbox uid, and the
   * sandbox would live on with the host's init as its parent.
   */
  public static void killTree(Process process) {
    process.children().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Whether {@link #kill()} ended it (rather than its own exit or a limit). */
  public boolean killed() {
    return killed;
  }

  public CompletableFuture<ExecutionResult> result() {
    return result;
  }

  /** Waits for the execution to end. */
  public ExecutionResult await() throws InterruptedException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
