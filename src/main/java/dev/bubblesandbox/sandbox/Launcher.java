package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One sandbox launch, made ready before its execution is known: a thread, a {@code /bin/sh} that
 * has joined a fresh group of the host's {@link ResourceControl}, and then waits for one line on
 * stdin. Joining a cgroup takes the kernel's cgroup_threadgroup_rwsem for writing, which waits
 * out an RCU grace period, which on an idle host can take longer than bwrap and Python take to
 * start. Done ahead of time ({@link LauncherPool}) it costs an execution nothing.
 *
 * <p>The execution's command goes to the shell in a file it sources ({@link #SCRIPT}): stdin is
 * the sandbox's own from the go line on, and a shell's {@code read} takes a pipe byte by byte.
 * A program's source goes in a file beside it, which the shell opens for bwrap to copy in (see
 * {@link Program}), and bwrap reports in a third whether the program was executed at all.
 *
 * <p>The thread that spawns the shell watches the execution to its end ({@link ExecutionWatcher}):
 * bwrap's {@code --die-with-parent} fires when the <em>thread</em> that started it ends, so that
 * thread must not be done with the sandbox before the sandbox is done ({@link SandboxThreads}).
 */
public final class Launcher {

  /**
   * Runs as the caller: joins the groups (so that bwrap and everything it starts is counted and
   * bounded from its first instruction), waits for the go line, then sources the command file,
   * which opens the seccomp filter and execs the uid switch and bwrap.
   * Arguments: the number of cgroup.procs files, the files, the command file.
   */
  static final String SCRIPT = joinGroups()
      // End-of-file instead of the go line: the launch was cancelled.
      + "read -r go || exit 0\n"
      // The shell exports PWD (its only variable), and bwrap's init would show it in /proc/1/environ.
      + "unset PWD OLDPWD go\n"
      + ". \"$1\"\n";

  /**
   * As {@link #SCRIPT}, for a launch whose command is known when it is spawned (a warm sandbox):
   * no go line, and the commands come as the last argument instead of a file.
   */
  static final String INLINE_SCRIPT = joinGroups()
      + "unset PWD OLDPWD\n"
      + "eval \"$1\"\n";

  /** What to run: the execution's spec, who gets its output, the command the shell sources. */
  private record Request(LaunchSpec spec, OutputListener listener, String commandScript) { }

  private final ResourceControl resources;
  private final LaunchFiles files;
  private final String name;
  private final SandboxThreads threads;
  private final CompletableFuture<Request> request = new CompletableFuture<>();
  private final CompletableFuture<SandboxExecution> started = new CompletableFuture<>();
  private final CompletableFuture<Void> life;
  private volatile Process shell;
  private volatile RuntimeException failure;
  private volatile boolean endedEarly;

  /** Starts making the launch ready, on a pooled thread ({@link SandboxThreads}). */
  Launcher(ResourceControl resources, Path commandDirectory, String name, SandboxThreads threads) {
    this.resources = resources;
    this.files = LaunchFiles.in(commandDirectory, name);
    this.name = name;
    this.threads = threads;
    this.life = threads.run(this::run);
  }

  /** False once it is known that this launch cannot run: its shell failed or was killed. */
  boolean usable() {
    Process process = shell;
    return failure == null && (process == null || process.isAlive());
  }

  /**
   * Runs {@code commandScript} for {@code spec} and returns once bwrap is starting. Called once.
   *
   * @throws SandboxUnavailableException when the launch could not be made ready
   */
  SandboxExecution launch(LaunchSpec spec, OutputListener listener, String commandScript) {
    request.complete(new Request(spec, listener, commandScript));
    try {
      return started.join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  LaunchFiles files() {
    return files;
  }

  /** Whether {@link #launch} failed because the shell had ended before it: worth one more try. */
  boolean endedEarly() {
    return endedEarly;
  }

  /** Ends an unused launch: its shell and group go. */
  void cancel() {
    request.complete(null);
  }

  /** Waits for the launch's thread to be done with it. */
  void awaitEnd(long millis) throws InterruptedException {
    SandboxThreads.await(life, millis);
  }

  private void run() {
    ResourceControl.Group group = null;
    Process process = null;
    try {
      group = resources.create(name);
      process = spawn(group, files.command());
      shell = process;
    } catch (IOException | RuntimeException | Error e) {
      end(process, group);
      fail(e instanceof RuntimeException runtime ? runtime
          : new SandboxUnavailableException("Cannot start the sandbox launcher: " + e.getMessage()));
      return;
    }
    Request next = request.join();
    if (next == null) {
      end(process, group);
      return;
    }
    try {
      go(next, group, process);
    } catch (RuntimeException | Error e) {
      // go() ends its own failures; this guard only keeps launch() from waiting forever.
      end(process, group);
      started.completeExceptionally(e instanceof RuntimeException runtime ? runtime
          : new SandboxUnavailableException("The sandbox launcher failed: " + e));
    } finally {
      files.delete();
    }
  }

  /** Joins the groups whose cgroup.procs files are the arguments after their number. */
  private static String joinGroups() {
    return "n=$1; shift\n"
        + "while [ \"$n\" -gt 0 ]; do\n"
        + "  echo $$ > \"$1\" || { echo \"bubble-sandbox: cannot join cgroup $1\" >&2; exit 125; }\n"
        + "  shift; n=$((n - 1))\n"
        + "done\n";
  }

  /** Starts the launcher's shell ({@link #SCRIPT}) for {@code group} and {@code commandFile}. */
  private static Process spawn(ResourceControl.Group group, Path commandFile) throws IOException {
    return spawn(SCRIPT, group, commandFile.toString());
  }

  /**
   * Starts a launcher's shell ({@link #INLINE_SCRIPT}) that joins {@code group} and runs
   * {@code commands} at once. They are one argument, which Linux bounds at 128 KiB: a warm
   * sandbox's commands (its bootstrap, preload module names and bwrap's arguments) are a few KiB.
   */
  public static Process spawnInline(ResourceControl.Group group, String commands) throws IOException {
    return spawn(INLINE_SCRIPT, group, commands);
  }

  private static Process spawn(String script, ResourceControl.Group group, String last) throws IOException {
    List<String> procs = group.procsFiles();
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", script,
        "bubble-sandbox-launch", Integer.toString(procs.size())));
    command.addAll(procs);
    command.add(last);
    ProcessBuilder builder = new ProcessBuilder(command);
    // bwrap's own init inherits this environment and shows it in /proc/1/environ:
    // start it with nothing, the sandbox's variables come from --setenv.
    builder.environment().clear();
    return builder.start();
  }

  /** Kills the shell, if any, and removes the group, if any. */
  private static void end(Process process, ResourceControl.Group group) {
    if (process != null) {
      process.destroyForcibly();
      waitQuietly(process);
    }
    if (group != null) {
      group.close();
    }
  }

  /** Waits for the request and fails it: the launch could not be made ready. */
  private void fail(RuntimeException cause) {
    failure = cause;
    request.join();
    started.completeExceptionally(cause);
  }

  private void go(Request next, ResourceControl.Group group, Process process) {
    try {
      group.limit(next.spec().limits().resources());
      files.write(next.spec().program().source(), next.commandScript());
    } catch (IOException | RuntimeException e) {
      end(process, group);
      started.completeExceptionally(e instanceof RuntimeException runtime ? runtime
          : new SandboxUnavailableException("Cannot write the launch command: " + e.getMessage()));
      return;
    }
    long startNanos = System.nanoTime();
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      // The shell ended before its go line: killed while it waited, or it could not join its
      // groups (exit 125). Its stderr may name host paths: it is not passed on.
      endedEarly = true;
      end(process, group);
      started.completeExceptionally(new SandboxUnavailableException(
          "The sandbox launcher ended before the launch (exit " + process.exitValue() + ")."));
      return;
    }
    CompletableFuture<ExecutionResult> result = new CompletableFuture<>();
    started.complete(new SandboxExecution(process, group, result));
    ExecutionWatcher.watch(next.spec(), next.listener(), group, process, startNanos, result, files,
        threads);
  }

  private static void waitQuietly(Process process) {
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
