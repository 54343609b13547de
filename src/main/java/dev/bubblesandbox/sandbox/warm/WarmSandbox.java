package dev.bubblesandbox.sandbox.warm;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.ExecutionWatcher;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.LaunchTrace;
import dev.bubblesandbox.sandbox.Launcher;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.SandboxExecution;
import dev.bubblesandbox.sandbox.SandboxThreads;
import dev.bubblesandbox.sandbox.limits.ResourceControl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One sandbox started ahead of its execution: its group made and limited with the defaults, the
 * launcher's shell in it (its commands given inline, {@link Launcher#INLINE_SCRIPT}: a warm
 * sandbox keeps no files but its code pipe), bwrap up and Python ({@link WarmReader}) waiting
 * for code on a private pipe ({@link CodePipe}; stdin stays the script's). It serves exactly one
 * execution and is then gone: the hand-over lowers the group's limits to the request's, sends
 * the code and closes the pipe, and from there it is watched as a cold launch is
 * ({@link ExecutionWatcher}), its timeout counted from the hand-over.
 *
 * <p>As with {@link Launcher}, the thread that spawns the shell is the one that watches the
 * execution: bwrap's {@code --die-with-parent} follows the thread that started it.
 */
final class WarmSandbox {

  /** What to run: the execution's spec and who gets its output. */
  private record Request(LaunchSpec spec, OutputListener listener) { }

  /** The program of a warm sandbox that preloads nothing. */
  private static final Program BARE = WarmReader.program(List.of());

  private final LaunchSpec warmSpec;
  private final boolean preloads;
  private final String syncVersion;
  private final ResourceControl resources;
  /**
   * The shell commands that start bwrap
   * ({@link dev.bubblesandbox.sandbox.LaunchCommand#warmScript}).
   */
  private final String commands;
  private final Path codeDirectory;
  private final String name;
  private final SandboxThreads threads;
  private final CompletableFuture<Request> request = new CompletableFuture<>();
  private final CompletableFuture<SandboxExecution> started = new CompletableFuture<>();
  private final CompletableFuture<Void> life;
  private volatile Process shell;
  private volatile ResourceControl.Group group;
  private volatile boolean failed;
  private volatile boolean ready;
  private volatile long heldBytes = -1;

  /**
   * Starts the sandbox of {@code warmSpec}, which {@code commands} start, on a pooled thread
   * of {@code threads}.
   */
  WarmSandbox(LaunchSpec warmSpec, String syncVersion, ResourceControl resources, String commands,
      Path directory, String name, SandboxThreads threads) {
    this.warmSpec = warmSpec;
    this.preloads = !warmSpec.program().equals(BARE);
    this.syncVersion = syncVersion;
    this.resources = resources;
    this.commands = commands;
    this.codeDirectory = directory;
    this.name = name;
    this.threads = threads;
    this.life = threads.run(this::run);
  }

  LaunchSpec spec() {
    return warmSpec;
  }

  String syncVersion() {
    return syncVersion;
  }

  /** Whether it imports modules before it waits (its memory then holds them). */
  boolean preloads() {
    return preloads;
  }

  /** False once it is known that this sandbox cannot serve: it failed to start or ended. */
  boolean usable() {
    Process process = shell;
    return !failed && (process == null || process.isAlive());
  }

  /**
   * Whether an execution may take it now: usable, and waiting for the code, or still starting
   * with nothing to preload (so that it cannot be slower than a cold start).
   */
  boolean takeable() {
    return usable() && (ready || !preloads);
  }

  /** Whether it waits for the code: its Python started and its preload done. */
  boolean ready() {
    return ready && usable();
  }

  /** Whether it is over: its processes and group are gone. */
  boolean ended() {
    return life.isDone();
  }

  /**
   * What its group has held at most (its preloaded modules), where the host measures it; else 0.
   * Read once it waits (a waiting Python holds no more), not on every look of the pool's; while it
   * starts, read only if it preloads (what the pool's memory cap guards against), else 0.
   */
  long memoryBytes() {
    long held = heldBytes;
    if (held < 0 && !ready && !preloads) {
      return 0;
    }
    if (held < 0) {
      Long peak = group == null ? null : group.memoryPeakBytes();
      held = peak == null ? 0 : peak;
    }
    return held;
  }

  /**
   * Hands {@code spec}'s code over and returns once it runs. Called once.
   *
   * @throws SandboxUnavailableException when this sandbox cannot take it (it ended meanwhile):
   *     the caller starts the execution cold
   */
  SandboxExecution handOver(LaunchSpec spec, OutputListener listener) {
    if (!request.complete(new Request(spec, listener))) {
      throw new SandboxUnavailableException("The warm sandbox was retired before it took the code.");
    }
    try {
      return started.join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  /** Ends it unused: its processes and group go. */
  void retire() {
    request.complete(null);
    if (!ready) {
      kill(shell); // its thread may wait for the ready byte: ending the sandbox ends that wait
    }
  }

  /** Kills everything in the group and the process tree of {@code process}, if started. */
  private void kill(Process process) {
    ResourceControl.Group current = group;
    if (current != null) {
      current.killAll();
    }
    if (process != null) {
      SandboxExecution.killTree(process);
    }
  }

  void awaitEnd(long millis) throws InterruptedException {
    SandboxThreads.await(life, millis);
  }

  private void run() {
    if (request.isDone() && request.join() == null) {
      // Retired before its thread came (the pool closing): nothing to start, nothing to end.
      started.completeExceptionally(new SandboxUnavailableException("The warm sandbox was retired."));
      return;
    }
    Process process = null;
    CodePipe code = null;
    try {
      group = resources.create(name);
      group.limit(warmSpec.limits().resources());
      code = CodePipe.create(codeDirectory);
      process = Launcher.spawnInline(group, code.shellRedirection() + commands);
      shell = process;
      WarmReader.awaitReady(process);
      ready = true;
      heldBytes = memoryBytes();
    } catch (IOException | RuntimeException | Error e) {
      failed = true;
      end(process, code);
      request.join();
      started.completeExceptionally(new SandboxUnavailableException("Cannot start a warm sandbox: " + e.getMessage()));
      return;
    }
    Request next = request.join();
    if (next == null) {
      end(process, code);
      started.completeExceptionally(new SandboxUnavailableException("The warm sandbox was retired."));
      return;
    }
    try {
      go(next, process, code);
    } catch (RuntimeException | Error e) {
      end(process, code);
      started.completeExceptionally(e instanceof RuntimeException runtime ? runtime
          : new SandboxUnavailableException("The warm sandbox failed: " + e));
    } finally {
      code.close();
    }
  }

  private void go(Request next, Process process, CodePipe code) {
    ResourceControl.Group limited = group;
    long startNanos;
    Long cpuBefore;
    try {
      if (!process.isAlive()) {
        throw new IOException("it ended while waiting (exit " + process.exitValue() + ")");
      }
      if (!next.spec().limits().resources().equals(warmSpec.limits().resources())) {
        limited.limit(next.spec().limits().resources());
      }
      // Before the code goes (a long one runs while it is written); the CPU so far is the preload.
      cpuBefore = limited.cpuTimeMs();
      startNanos = System.nanoTime();
      code.send(next.spec().program().source().orElse(""), process);
    } catch (IOException | RuntimeException e) {
      failed = true;
      end(process, code);
      started.completeExceptionally(new SandboxUnavailableException(
          "The warm sandbox could not take the code: " + e.getMessage()));
      return;
    }
    CompletableFuture<ExecutionResult> watched = new CompletableFuture<>();
    started.complete(new SandboxExecution(process, limited, watched.thenApply(done -> done.asWarm(cpuBefore))));
    ExecutionWatcher.watch(next.spec(), next.listener(), limited, process, startNanos, watched, LaunchTrace.WARM,
        threads);
  }

  /** Kills what runs and removes the group. */
  private void end(Process process, CodePipe code) {
    kill(process);
    try {
      if (process != null) {
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (code != null) {
      code.close();
    }
    ResourceControl.Group current = group;
    if (current != null) {
      current.close(); // kills what is left first
    }
  }
}
