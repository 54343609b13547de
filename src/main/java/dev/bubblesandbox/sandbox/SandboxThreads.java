package dev.bubblesandbox.sandbox;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Every thread that starts, pumps and watches sandboxes is made here, named by what it runs, and
 * closed here, once, when the owner of the {@link SandboxRunner} that holds these threads shuts
 * down (the server at its stop, the CLI at the end of its run):
 * <ul>
 *   <li>{@code sandbox-N}: the whole life of one sandbox, launch and watch ({@link Launcher},
 *       the warm sandboxes of {@code sandbox.warm});
 *   <li>{@code sandbox-output}: the pumps reading sandboxes' stdout and stderr;
 *   <li>{@code sandbox-stdin}: the writers of executions' stdin (a write waits while a pipe is
 *       full, so it may hold no worker or event-loop thread);
 *   <li>{@code sandbox-warm-pool}: a warm pool's refiller, one thread per pool;
 *   <li>{@code bubble-sandbox-io}: the server's short blocking work, a Vert.x worker pool of 16.
 * </ul>
 * Threads are reused from one sandbox to the next: making a thread per sandbox cost a server more
 * CPU than the rest of a launch's bookkeeping. Reuse is safe for bwrap's
 * {@code --die-with-parent}, which follows the thread that started it: that thread runs the
 * whole life of its sandbox as one task, and a pooled thread only ends when idle. The pools are
 * cached (an idle thread ends after a minute) and their threads daemons, so a CLI run never waits
 * for one.
 */
public final class SandboxThreads implements AutoCloseable {

  private static final AtomicLong COUNT = new AtomicLong();

  private static final String IO_POOL = "bubble-sandbox-io";
  private static final int IO_THREADS = 16;

  private final ExecutorService lives = cached(() -> "sandbox-" + COUNT.incrementAndGet());
  private final ExecutorService pumps = cached(() -> "sandbox-output");
  private final ExecutorService stdinWriters = cached(() -> "sandbox-stdin");
  private final List<Thread> refillers = new CopyOnWriteArrayList<>();
  private final List<Runnable> closers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  SandboxThreads() {}

  /**
   * Runs {@code life} on a {@code sandbox-N} thread; the future completes when it has returned.
   * A life guards its own failures: one that escapes it is logged, not lost with the future.
   */
  public CompletableFuture<Void> run(Runnable life) {
    CompletableFuture<Void> over = CompletableFuture.runAsync(life, lives);
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

  /** The {@code sandbox-output} threads, shared by all executions' output pumps. */
  public ExecutorService outputPumps() {
    return pumps;
  }

  /** The {@code sandbox-stdin} threads, shared by all executions' stdin writers. */
  public Executor stdinWriters() {
    return stdinWriters;
  }

  /** A warm pool's {@code sandbox-warm-pool} thread running {@code loop}, not started yet. */
  public Thread warmRefiller(Runnable loop) {
    Thread thread = new Thread(loop, "sandbox-warm-pool");
    thread.setDaemon(true);
    refillers.add(thread);
    return thread;
  }

  /**
   * The server's {@code bubble-sandbox-io} pool, made by {@code factory} from its name and size
   * (Vert.x's shared worker executor: this package does not know Vert.x) and closed by
   * {@code closer} with the rest.
   */
  public <P> P ioPool(BiFunction<String, Integer, P> factory, Consumer<P> closer) {
    P pool = factory.apply(IO_POOL, IO_THREADS);
    closers.add(() -> closer.accept(pool));
    return pool;
  }

  /**
   * Closes every pool: the running tasks finish (by now their sandboxes are gone), no new one is
   * taken. A warm pool ends its refiller when it closes; one still running is interrupted.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    lives.shutdown();
    pumps.shutdown();
    stdinWriters.shutdown();
    refillers.forEach(Thread::interrupt);
    closers.forEach(Runnable::run);
  }

  private static ExecutorService cached(Supplier<String> names) {
    return Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, names.get());
      thread.setDaemon(true);
      return thread;
    });
  }
}
