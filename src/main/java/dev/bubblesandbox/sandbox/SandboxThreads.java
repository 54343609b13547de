package dev.bubblesandbox.sandbox;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * The threads that start sandboxes and watch them to their end ({@link Launcher}, the warm
 * sandboxes of {@code sandbox.warm}), reused from one sandbox to the next: making a thread per
 * sandbox cost a server more CPU than the rest of a launch's bookkeeping. Reuse is safe for bwrap's
 * {@code --die-with-parent}, which follows the thread that started it: that thread runs the
 * whole life of its sandbox as one task, and a pooled thread only ends when idle.
 */
public final class SandboxThreads {

  private static final AtomicLong COUNT = new AtomicLong();

  /** An idle thread ends after a minute; daemons, so that a CLI run never waits for one. */
  private static final ExecutorService THREADS = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "sandbox-" + COUNT.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private SandboxThreads() {}

  /**
   * Runs {@code life} on a pooled thread; the future completes when it has returned. A life
   * guards its own failures: one that escapes it is logged, not lost with the future.
   */
  public static CompletableFuture<Void> run(Runnable life) {
    CompletableFuture<Void> over = CompletableFuture.runAsync(life, THREADS);
    over.whenComplete((ignored, failure) -> {
      if (failure != null) {
        // Looked up here: a CLI run would otherwise start the logging framework for nothing.
        LoggerFactory.getLogger(SandboxThreads.class).error("a sandbox's thread failed", failure);
      }
    });
    return over;
  }

  /** Waits up to {@code millis} for {@code life} to be over, however it ended. */
  public static void await(CompletableFuture<Void> life, long millis) throws InterruptedException {
    try {
      life.get(millis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // over with an error (the life guards its own failures) or still going: the caller moves on
    }
  }
}
