package dev.bubblesandbox.server.kernel;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.kernel.KernelListener;
import dev.bubblesandbox.sandbox.kernel.KernelObserver;
import dev.bubblesandbox.sandbox.kernel.KernelResult;
import dev.bubblesandbox.sandbox.kernel.KernelSettings;
import dev.bubblesandbox.sandbox.kernel.SessionKernel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernels of this server's kernel sessions (SPEC §11), by session id: each opened on its
 * session's first script execution, closed when its session ends ({@link #ended}, which the
 * session registry calls before the workspace goes) and all of them when the server stops.
 *
 * <p>A kernel execution blocks for as long as the script runs, up to its timeout: each runs on a
 * thread of its own, never on an event loop nor in the short-task pool, and hands its events and
 * its result back to the caller's context, in order. The threads are bounded by the sessions:
 * each session runs one execution at a time (its lease).
 */
public final class SessionKernels implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(SessionKernels.class);

  private final SandboxRunner runner;
  private final Supplier<KernelSettings> settings;
  private final KernelObserver observer;
  private final ExecutorService threads;
  /** Guarded by this. */
  private final Map<String, SessionKernel> kernels = new HashMap<>();
  /** Guarded by this: once closed, no kernel opens. */
  private boolean closed;
  /**
   * Guarded by this: the executions handed to a kernel thread and not yet over, by session, each
   * with whether an interrupt was asked for it. An interrupt that comes before the execution
   * reaches its kernel (the thread hop, the kernel's opening) would otherwise reach nothing.
   */
  private final Map<String, AtomicBoolean> pending = new HashMap<>();

  /**
   * @param settings read at each kernel's opening: the settings in force then
   * @param observer learns when kernels start and end (the metrics)
   */
  public SessionKernels(SandboxRunner runner, Supplier<KernelSettings> settings, KernelObserver observer) {
    this.runner = runner;
    this.settings = settings;
    this.observer = observer;
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, "bubble-sandbox-kernel-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    this.threads = Executors.newCachedThreadPool(factory);
  }

  /**
   * Runs {@code code} in the session's kernel, opening it first from {@code template} (called on
   * the kernel's thread: it may block) when the session has none yet. Call on a Vert.x context:
   * {@code listener} and the returned future are called on it, the events in order and all of
   * them before the result. Never blocks.
   *
   * @param template the session's launch (environment, workspace, volumes, limits)
   */
  public Future<KernelResult> execute(String sessionId, Callable<LaunchSpec> template, String code,
      String stdin, ExecutionLimits limits, KernelListener listener) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      throw new IllegalStateException("kernel executions are started from a Vert.x context");
    }
    Promise<KernelResult> answer = Promise.promise();
    KernelListener onCaller = new OnContext(caller, listener);
    AtomicBoolean interrupted = new AtomicBoolean();
    synchronized (this) {
      pending.put(sessionId, interrupted);
    }
    try {
      threads.execute(() -> {
        try {
          KernelResult result = kernel(sessionId, template).execute(code, stdin, limits, onCaller, interrupted::get);
          caller.runOnContext(ignored -> answer.complete(result));
        } catch (Throwable failure) {
          if (!(failure instanceof BubbleSandboxException)) {
            logger.error("kernel execution failed", kv("session_id", sessionId), failure);
          }
          caller.runOnContext(ignored -> answer.fail(failure));
        } finally {
          synchronized (this) {
            pending.remove(sessionId, interrupted);
          }
        }
      });
    } catch (RejectedExecutionException stopping) {
      synchronized (this) {
        pending.remove(sessionId, interrupted);
      }
      return Future.failedFuture(stopping());
    }
    return answer.future();
  }

  /**
   * Opens a new session's kernel from {@code template} and starts its Python now, on a kernel
   * thread ({@link SessionKernel#start}), so that the first execution finds it started or ready
   * instead of starting it. Never blocks. A session that ended meanwhile ({@code open} false once
   * the kernel is registered) has it closed at once: its end may have come before the kernel was
   * there to close.
   */
  public void startAhead(String sessionId, Callable<LaunchSpec> template, BooleanSupplier open) {
    try {
      threads.execute(() -> {
        try {
          kernel(sessionId, template).start();
        } catch (Exception e) {
          // Only a head start is lost: the first execution starts the kernel.
          logger.info("kernel not started ahead", kv("session_id", sessionId),
              kv("reason", String.valueOf(e.getMessage())));
          return;
        }
        if (!open.getAsBoolean()) {
          ended(sessionId);
        }
      });
    } catch (RejectedExecutionException stopping) {
      // the server is stopping: no kernel starts
    }
  }

  /**
   * Raises {@code KeyboardInterrupt} in the session's running execution, or in the one handed to a
   * kernel thread and not yet running there (it is interrupted as soon as its code is sent);
   * nothing when none runs. Never blocks.
   */
  public void interrupt(String sessionId) {
    synchronized (this) {
      AtomicBoolean handedOver = pending.get(sessionId);
      if (handedOver != null) {
        handedOver.set(true);
      }
    }
    find(sessionId).ifPresent(SessionKernel::interrupt);
  }

  /**
   * Ends the session's Python (a running execution answers {@code lost}); its next execution
   * starts a fresh one. The future completes once the old one is gone, on the caller's context.
   */
  public Future<Void> restart(String sessionId) {
    Optional<SessionKernel> kernel = find(sessionId);
    if (kernel.isEmpty()) {
      return Future.succeededFuture();
    }
    Context caller = Vertx.currentContext();
    Promise<Void> done = Promise.promise();
    try {
      threads.execute(() -> {
        Throwable failure = null;
        try {
          kernel.get().restart();
        } catch (RuntimeException e) {
          failure = e;
          logger.error("kernel restart failed", kv("session_id", sessionId), e);
        }
        Throwable result = failure;
        Runnable finish = () -> {
          if (result == null) {
            done.complete();
          } else {
            done.fail(result);
          }
        };
        if (caller == null) {
          finish.run();
        } else {
          caller.runOnContext(ignored -> finish.run());
        }
      });
    } catch (RejectedExecutionException stopping) {
      return Future.failedFuture(stopping());
    }
    return done.future();
  }

  /**
   * The session has ended (deleted, idle, a throwaway's socket closed, the server stopping):
   * its kernel's Python and group go, before its workspace does. Blocks.
   */
  public void ended(String sessionId) {
    SessionKernel kernel;
    synchronized (this) {
      kernel = kernels.remove(sessionId);
    }
    if (kernel != null) {
      closeQuietly(sessionId, kernel);
    }
  }

  /** Kills every kernel and opens no more; running executions answer {@code lost}. Blocks. */
  @Override
  public void close() {
    Map<String, SessionKernel> all;
    synchronized (this) {
      closed = true;
      all = new HashMap<>(kernels);
      kernels.clear();
    }
    all.forEach(SessionKernels::closeQuietly);
    threads.shutdown();
  }

  /** The ids of the sessions whose kernel is open now (alive or waiting to start again). */
  public synchronized List<String> open() {
    return new ArrayList<>(kernels.keySet());
  }

  private synchronized Optional<SessionKernel> find(String sessionId) {
    return Optional.ofNullable(kernels.get(sessionId));
  }

  private SessionKernel kernel(String sessionId, Callable<LaunchSpec> template) throws Exception {
    Optional<SessionKernel> existing = find(sessionId);
    if (existing.isPresent()) {
      return existing.get();
    }
    // Opened outside the lock, which interrupts of every session take. A session's first
    // execution and its start ahead may both open one: the first registered is kept, the other
    // (not started: nothing to close but the object) dropped.
    SessionKernel kernel = SessionKernel.open(runner, template.call(), settings.get(), observer);
    synchronized (this) {
      if (!closed) {
        SessionKernel first = kernels.putIfAbsent(sessionId, kernel);
        return first != null ? first : kernel;
      }
    }
    closeQuietly(sessionId, kernel);
    throw stopping();
  }

  private static void closeQuietly(String sessionId, SessionKernel kernel) {
    try {
      kernel.close();
    } catch (RuntimeException e) {
      logger.error("closing a kernel failed", kv("session_id", sessionId), e);
    }
  }

  private static RefusedException stopping() {
    return new RefusedException(ErrorCode.SANDBOX_UNAVAILABLE, "The server is stopping.");
  }

  /** A listener that hands each event to the caller's context, in order. */
  private record OnContext(Context context, KernelListener listener) implements KernelListener {
    @Override
    public void onOutput(Stream stream, String text) {
      context.runOnContext(ignored -> listener.onOutput(stream, text));
    }

    @Override
    public void onDisplay(Map<String, Object> bundle) {
      context.runOnContext(ignored -> listener.onDisplay(bundle));
    }

    @Override
    public void onResult(Map<String, Object> bundle) {
      context.runOnContext(ignored -> listener.onResult(bundle));
    }
  }
}
