package dev.bubblesandbox.sandbox.kernel;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Launcher;
import dev.bubblesandbox.sandbox.SandboxExecution;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.SandboxThreads;
import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.sandbox.limits.ResourceLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * One Python of a kernel: bwrap started with the session's flags, seccomp filter, group limits,
 * workspace and volumes (the commands a warm sandbox of the spec starts with,
 * {@link SandboxRunner#prepareWarm}), running {@code kernel_runner.py}. Its events are read on
 * their own thread, bounded line by line ({@link KernelProtocol.Lines}), into a small queue that
 * the execution in progress takes them from; a full queue holds the runner back (its pipe fills),
 * so a flood costs no memory here.
 *
 * <p>As with {@link Launcher}, the thread that spawns the launcher's shell lives as long as the
 * sandbox (bwrap's {@code --die-with-parent} follows it); when the sandbox ends, that thread
 * removes the group and reports the end, once, to the {@link KernelObserver}.
 */
final class KernelProcess {

  /** The stream of events is over; {@code violation} says why when the runner broke the protocol. */
  record End(String violation) { }

  private static final int QUEUE = 256;
  private static final long POLL_MILLIS = 100;

  private final BlockingQueue<Object> events = new ArrayBlockingQueue<>(QUEUE);
  private final CompletableFuture<Void> spawned = new CompletableFuture<>();
  private final CompletableFuture<String> ended = new CompletableFuture<>();
  private final AtomicReference<String> killReason = new AtomicReference<>();
  private final KernelObserver observer;
  private final long maxLineBytes;
  private final SandboxThreads threads;
  private final Object writeLock = new Object();
  private volatile Process process;
  private volatile ResourceControl.Group group;
  private volatile ResourceControl.Usage finalUsage;
  private volatile ResourceLimits limits;

  private KernelProcess(SandboxThreads threads, KernelObserver observer, long maxLineBytes) {
    this.threads = threads;
    this.observer = observer;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Starts the runner of {@code spec} and returns once bwrap is starting (not yet ready: its
   * {@code ready} event is the first of {@link #next}).
   *
   * @throws SandboxUnavailableException when it cannot be started
   */
  static KernelProcess start(SandboxRunner runner, LaunchSpec spec, long maxLineBytes, KernelObserver observer) {
    SandboxRunner.WarmStart start = runner.prepareWarm(spec);
    KernelProcess kernel = new KernelProcess(runner.threads(), observer, maxLineBytes);
    kernel.limits = spec.limits().resources();
    runner.threads().run(() -> kernel.live(start, spec));
    try {
      kernel.spawned.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime
          : new SandboxUnavailableException("Cannot start the kernel: " + e.getCause());
    }
    return kernel;
  }

  /** The life of the sandbox, on its own thread: spawn, read, wait, clean up, report. */
  private void live(SandboxRunner.WarmStart start, LaunchSpec spec) {
    Process started;
    try {
      group = start.resources().create(start.group());
      group.limit(spec.limits().resources());
      started = Launcher.spawnInline(group, start.commands());
      process = started;
    } catch (IOException | RuntimeException | Error e) {
      if (group != null) {
        group.close();
      }
      ended.complete(KernelObserver.CRASH);
      spawned.completeExceptionally(new SandboxUnavailableException("Cannot start the kernel: " + e.getMessage()));
      return;
    }
    tell(observer::started);
    spawned.complete(null);
    threads.outputPumps().submit(() -> read(started.getInputStream()));
    threads.outputPumps().submit(() -> drain(started.getErrorStream()));
    try {
      started.waitFor();
    } catch (InterruptedException e) {
      killReason.compareAndSet(null, KernelObserver.CRASH);
      Thread.currentThread().interrupt();
    } finally {
      SandboxExecution.killTree(started);
      ResourceControl.Group current = group;
      ResourceControl.Usage usage = ResourceControl.Usage.NONE;
      try {
        usage = current.usage();
      } catch (RuntimeException e) {
        // unmeasured: the group goes all the same
      }
      finalUsage = usage;
      try {
        current.close();
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(KernelProcess.class).warn("a kernel's group was not removed: {}", e.toString());
      }
      String reason = killReason.get();
      if (reason == null) {
        reason = usage.limitHit() != null ? usage.limitHit() : KernelObserver.CRASH;
      }
      String told = reason;
      tell(() -> observer.ended(told));
      ended.complete(reason);
    }
  }

  /** Tells the observer (the server's metrics): its failure must not cut the kernel's cleanup short. */
  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(KernelProcess.class).warn("a kernel observer failed", e);
    }
  }

  /** Reads event lines to the end of the stream; a bad line ends the kernel. */
  private void read(InputStream in) {
    KernelProtocol.Lines lines = new KernelProtocol.Lines(in, maxLineBytes);
    String violation = null;
    try {
      String line;
      while ((line = lines.next()) != null) {
        if (!offer(KernelProtocol.parse(line))) {
          return;
        }
      }
    } catch (KernelProtocol.Violation e) {
      violation = e.getMessage();
      kill(KernelObserver.PROTOCOL);
    } catch (RuntimeException e) {
      violation = "an event line could not be read: " + e;
      kill(KernelObserver.PROTOCOL);
    } catch (IOException e) {
      // the stream closed: the process is gone
    }
    offer(new End(violation));
    closeQuietly(in);
  }

  /** Hands an item to the execution, waiting while the queue is full; false once the kernel ended. */
  private boolean offer(Object item) {
    try {
      while (!events.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        if (ended.isDone()) {
          return false; // nobody takes events of a dead kernel
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The runner's own stderr (bwrap's or Python's failures before the runner took fd 2): dropped. */
  private static void drain(InputStream in) {
    byte[] buffer = new byte[8192];
    try {
      while (in.read(buffer) != -1) {
        // nothing of it reaches a result: it may name host paths
      }
    } catch (IOException e) {
      // closed
    }
  }

  /**
   * The next event or {@link End}, waiting up to {@code nanos}; null when none came in time. After
   * the {@link End}, it is returned again.
   */
  Object next(long nanos) throws InterruptedException {
    Object item = events.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    if (item instanceof End) {
      events.clear();
      events.offer(item);
    }
    return item;
  }

  /** Drops events that no execution asked for (what a background process wrote meanwhile). */
  void dropStale() {
    Object item;
    while ((item = events.peek()) != null && !(item instanceof End)) {
      events.poll();
    }
  }

  /** Sends a command line; false when the runner cannot take it (it ended). */
  boolean send(String line) {
    Process current = process;
    synchronized (writeLock) {
      try {
        OutputStream stdin = current.getOutputStream();
        stdin.write(line.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** Lowers or raises the group's limits to {@code next} for the coming execution. */
  void limit(ResourceLimits next) {
    ResourceControl.Group current = group;
    if (!next.equals(limits) && current != null) {
      try {
        current.limit(next);
        limits = next;
      } catch (RuntimeException e) {
        // A memory limit below what the kernel holds now is refused by cgroup v1 (EBUSY): the
        // kernel keeps the limits it has, which bound it as the session's did.
        LoggerFactory.getLogger(KernelProcess.class).warn("cannot change a kernel's limits: {}", e.getMessage());
      }
    }
  }

  /** Kills the sandbox; the first reason given is the one reported. Idempotent. */
  void kill(String reason) {
    killReason.compareAndSet(null, reason);
    ResourceControl.Group current = group;
    if (current != null) {
      current.killAll();
    }
    Process running = process;
    if (running != null) {
      SandboxExecution.killTree(running);
    }
  }

  boolean alive() {
    Process running = process;
    return !ended.isDone() && running != null && running.isAlive();
  }

  /** Waits up to {@code millis} for the end to be reported; its reason, or null. */
  String awaitEnd(long millis) throws InterruptedException {
    try {
      return ended.get(millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    }
  }

  /** What the group measured when it ended; null before. */
  ResourceControl.Usage finalUsage() {
    return finalUsage;
  }

  /** The live group's usage, or the final one once it ended. */
  ResourceControl.Usage usage() {
    ResourceControl.Usage last = finalUsage;
    if (last != null) {
      return last;
    }
    ResourceControl.Group current = group;
    return current == null ? ResourceControl.Usage.NONE : current.usage();
  }

  Long memoryBytes() {
    ResourceControl.Group current = group;
    return current == null || ended.isDone() ? null : current.memoryBytes();
  }

  /** bwrap's exit status once it ended, else null. */
  Integer exitStatus() {
    Process running = process;
    return running == null || running.isAlive() ? null : running.exitValue();
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
