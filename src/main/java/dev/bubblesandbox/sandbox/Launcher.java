package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One sandbox launch, made ready before its execution is known: a thread, a {@code /bin/sh} that
 * has joined a fresh group of the host's {@link ResourceControl}, and then waits for one line on
 * stdin. Joining a cgroup takes the kernel's cgroup_threadgroup_rwsem for writing, which waits
 * out an RCU grace period: 5 to 15 ms on an otherwise idle host, more than bwrap and Python take
 * to start. Done ahead of time ({@link LauncherPool}) it costs an execution nothing.
 *
 * <p>The execution's command goes to the shell in a file it sources ({@link #SCRIPT}): stdin is
 * the sandbox's own from the go line on, and a shell's {@code read} takes a pipe byte by byte.
 * A program's source goes in a file beside it, which the shell opens for bwrap to copy in (see
 * {@link Program}), and bwrap reports in a third whether the program was executed at all.
 *
 * <p>The thread that spawns the shell watches the execution to its end: bwrap's
 * {@code --die-with-parent} fires when the <em>thread</em> that started it ends, so a pooled or
 * short-lived thread would kill the sandbox early.
 */
final class Launcher {

  /**
   * Runs as the caller: joins the groups (so that bwrap and everything it starts is counted and
   * bounded from its first instruction), waits for the go line, then sources the command file,
   * which opens the seccomp filter and execs the uid switch and bwrap.
   * Arguments: the number of cgroup.procs files, the files, the command file.
   */
  static final String SCRIPT = "n=$1; shift\n"
      + "while [ \"$n\" -gt 0 ]; do\n"
      + "  echo $$ > \"$1\" || { echo \"bubble-sandbox: cannot join cgroup $1\" >&2; exit 125; }\n"
      + "  shift; n=$((n - 1))\n"
      + "done\n"
      // End-of-file instead of the go line: the launch was cancelled.
      + "read -r go || exit 0\n"
      // The shell exports PWD (its only variable), and bwrap's init would show it in /proc/1/environ.
      + "unset PWD OLDPWD go\n"
      + ". \"$1\"\n";

  /** How long the output pumps may take to reach end-of-file once bwrap has exited. */
  private static final long PUMP_DRAIN_SECONDS = 5;

  /** What to run; null cancels the launch. */
  private record Job(LaunchSpec spec, OutputListener listener, String commandScript) { }

  /**
   * The launch's files in the runner's private directory: the command the shell sources, the
   * program's source, and bwrap's status.
   */
  record LaunchFiles(Path command, Path source, Path status) {

    void delete() {
      for (Path file : List.of(command, source, status)) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // left in the runner's private directory, removed with it
        }
      }
    }
  }

  private final ResourceControl resources;
  private final LaunchFiles files;
  private final String name;
  private final CompletableFuture<Job> job = new CompletableFuture<>();
  private final CompletableFuture<RunningSandbox> started = new CompletableFuture<>();
  private final Thread thread;
  private volatile Process shell;
  private volatile RuntimeException failure;
  private volatile boolean endedEarly;

  /** Starts making the launch ready, on a thread of its own. */
  Launcher(ResourceControl resources, Path commandDirectory, String name) {
    this.resources = resources;
    this.files = new LaunchFiles(commandDirectory.resolve(name + ".sh"),
        commandDirectory.resolve(name + ".source"), commandDirectory.resolve(name + ".status"));
    this.name = name;
    this.thread = new Thread(this::run, "sandbox-launcher-" + name);
    thread.start();
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
  RunningSandbox launch(LaunchSpec spec, OutputListener listener, String commandScript) {
    job.complete(new Job(spec, listener, commandScript));
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
    job.complete(null);
  }

  /** Waits for the launch's thread to end. */
  void awaitEnd(long millis) throws InterruptedException {
    thread.join(millis);
  }

  private void run() {
    ResourceControl.Group group = null;
    Process process = null;
    try {
      group = resources.create(name);
      process = spawn(group);
      shell = process;
    } catch (IOException | RuntimeException | Error e) {
      end(process, group);
      fail(e instanceof RuntimeException runtime ? runtime
          : new SandboxUnavailableException("Cannot start the sandbox launcher: " + e.getMessage()));
      return;
    }
    Job next = job.join();
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

  private Process spawn(ResourceControl.Group group) throws IOException {
    List<String> procs = group.procsFiles();
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT,
        "bubble-sandbox-launch", Integer.toString(procs.size())));
    command.addAll(procs);
    command.add(files.command().toString());
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

  /** Waits for the job and fails it: the launch could not be made ready. */
  private void fail(RuntimeException cause) {
    failure = cause;
    job.join();
    started.completeExceptionally(cause);
  }

  private void go(Job next, ResourceControl.Group group, Process process) {
    try {
      group.limit(next.spec().limits().resources());
      Optional<String> source = next.spec().program().source();
      if (source.isPresent()) {
        Files.writeString(files.source(), source.get(),
            StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      }
      Files.writeString(files.command(), next.commandScript(),
          StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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
    started.complete(new RunningSandbox(process, group, result));
    watch(next, group, process, startNanos, result, files);
  }

  private static void watch(Job job, ResourceControl.Group group, Process process,
      long startNanos, CompletableFuture<ExecutionResult> result, LaunchFiles files) {
    LaunchSpec spec = job.spec();
    try {
      OutputCapture stdout = new OutputCapture(spec.limits().maxOutputBytes());
      OutputCapture stderr = new OutputCapture(spec.limits().maxOutputBytes());
      Thread stdoutPump = pump(process.getInputStream(), stdout, OutputListener.Stream.STDOUT,
          job.listener(), spec.executionId());
      Thread stderrPump = pump(process.getErrorStream(), stderr, OutputListener.Stream.STDERR,
          job.listener(), spec.executionId());

      long timeoutNanos = spec.limits().timeout().toNanos() - (System.nanoTime() - startNanos);
      boolean timedOut = !process.waitFor(timeoutNanos, TimeUnit.NANOSECONDS);
      if (timedOut) {
        RunningSandbox.killAll(process, group);
      }
      int status = process.waitFor();
      long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      // bwrap is gone: whatever is left in the group holds the output pipes open. End it now.
      group.killAll();
      stdoutPump.join(TimeUnit.SECONDS.toMillis(PUMP_DRAIN_SECONDS));
      stderrPump.join(TimeUnit.SECONDS.toMillis(PUMP_DRAIN_SECONDS));
      closeQuietly(process.getInputStream());
      closeQuietly(process.getErrorStream());

      boolean executed = programExecuted(files.status());
      // Gone before the result is, so that nothing of the launch outlives it.
      files.delete();
      if (!timedOut && status <= 128 && !executed) {
        // What stderr holds is the launcher's or bwrap's own message: it may name host paths and
        // is no output of the program. The failure carries it (for the log), not the result.
        group.close();
        result.completeExceptionally(new SandboxUnavailableException("The sandbox could not be "
            + "started (exit " + status + "): " + stderr.text().strip()));
        return;
      }
      ResourceControl.Usage usage = group.usage();
      boolean truncated = stdout.truncated() || stderr.truncated();
      String limit = timedOut ? ExecutionResult.LIMIT_TIMEOUT
          : usage.limitHit() != null ? usage.limitHit()
          : truncated ? ExecutionResult.LIMIT_OUTPUT : null;
      result.complete(new ExecutionResult(stdout.text(), stderr.text(),
          timedOut ? ReturnCode.KILLED : ReturnCode.fromShellStatus(status), timedOut, truncated, durationMs, limit,
          usage.cpuTimeMs(), usage.memoryPeakBytes()));
      // Its processes are dead already: removing the group need not delay the result.
      group.close();
    } catch (InterruptedException e) {
      RunningSandbox.killAll(process, group);
      group.close();
      Thread.currentThread().interrupt();
      result.completeExceptionally(e);
    } catch (RuntimeException | Error e) {
      RunningSandbox.killAll(process, group);
      group.close();
      result.completeExceptionally(e);
    }
  }

  /**
   * Whether bwrap executed the program: it writes {@code "exit-code"} to its status only when
   * the program's exec succeeded. Missing, the shell, the uid switch, bwrap's setup or the
   * program's exec failed.
   */
  private static boolean programExecuted(Path statusFile) {
    try {
      return Files.readString(statusFile, StandardCharsets.UTF_8).contains("\"exit-code\"");
    } catch (IOException e) {
      return false;
    }
  }

  private static Thread pump(InputStream in, OutputCapture capture, OutputListener.Stream stream,
      OutputListener listener, String executionId) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try {
        int read;
        while ((read = in.read(buffer)) != -1) {
          // Past the cap the stream is still drained, so a flooding process never blocks on a
          // full pipe and ends normally.
          deliver(listener, stream, capture.accept(buffer, read));
        }
      } catch (IOException e) {
        // the stream was closed after bwrap exited: what was read is kept
      }
      deliver(listener, stream, capture.finish());
    }, "sandbox-" + executionId + "-" + stream.name().toLowerCase(Locale.ROOT));
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void deliver(OutputListener listener, OutputListener.Stream stream, String text) {
    if (!text.isEmpty()) {
      listener.onOutput(stream, text);
    }
  }

  private static void waitQuietly(Process process) {
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
