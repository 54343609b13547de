package dev.bubblesandbox.sandbox.kernel;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.SandboxRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.LoggerFactory;

/**
 * The kernel of one session: starts its Python lazily on the first execute (or after lost or
 * restart). Thread-safe; one execute at a time (the caller, the session layer, already
 * guarantees it).
 *
 * <p>Each execute sends one command to the runner ({@link KernelProtocol}) and takes its events,
 * in order, on the caller's thread, passing them to the execution's {@link KernelListener}, until
 * the runner's {@code done} or the kernel's end. The limits of {@link ExecutionLimits} apply to
 * the execution, not to the kernel's life: a timeout interrupts the code and kills the kernel only
 * when the code does not yield within {@link KernelSettings#interruptGrace}; output past
 * {@code maxOutputBytes} is dropped and interrupts the code; the group's memory and task limits
 * end the kernel when hit.
 */
public final class SessionKernel implements AutoCloseable {

  /** The runner's source, given to Python as {@code -c}: far below Linux's 128 KiB per argument. */
  private static final String RUNNER = load("kernel_runner.py");


  private final SandboxRunner runner;
  private final LaunchSpec template;
  private final KernelSettings settings;
  private final KernelObserver observer;
  private final Object lock = new Object();
  /** The Python of the kernel, null before the first execute, after a loss or a restart. */
  private volatile KernelProcess current;
  private boolean closed;
  /** The execution in progress: what {@link #interrupt} reaches. */
  private volatile KernelExecution running;
  /** The runner's execution count at its last {@code done}. */
  private int lastCount;
  /**
   * Whether {@link #current} was started ahead by {@link #start} and no execute has taken it
   * yet: the next execute waits for its {@code ready}.
   */
  private boolean startedAhead;

  private SessionKernel(SandboxRunner runner, LaunchSpec template, KernelSettings settings,
      KernelObserver observer) {
    this.runner = runner;
    this.template = template;
    this.settings = settings;
    this.observer = observer;
  }

  /**
   * A kernel for a session; nothing starts until the first {@link #execute} or {@link #start}.
   *
   * @param template the session's spec (environment, workDir, volumes, limits); its program is
   *     ignored
   */
  public static SessionKernel open(SandboxRunner runner, LaunchSpec template, KernelSettings settings,
      KernelObserver observer) {
    return new SessionKernel(runner, template, settings, observer);
  }

  /**
   * Runs {@code code} in the kernel, with {@code stdin} (null: none) as its {@code sys.stdin}.
   * Blocking (call on a worker thread).
   *
   * @throws SandboxUnavailableException when a fresh kernel could not start, or this one is closed
   */
  public KernelResult execute(String code, String stdin, ExecutionLimits limits, KernelListener listener) {
    return execute(code, stdin, limits, listener, () -> false);
  }

  /**
   * As {@link #execute(String, String, ExecutionLimits, KernelListener)}, for a caller that hands
   * the execution over from another thread: {@code interruptedEarly} says whether an interrupt was
   * asked for it before it got here, when {@link #interrupt} had nothing to reach. It is read once
   * the code is sent; an interrupt asked later reaches the execution through {@link #interrupt}.
   */
  public KernelResult execute(String code, String stdin, ExecutionLimits limits, KernelListener listener,
      BooleanSupplier interruptedEarly) {
    long startNanos = System.nanoTime();
    KernelProcess kernel;
    boolean fresh;
    boolean ahead;
    synchronized (lock) {
      if (closed) {
        throw new SandboxUnavailableException("The session's kernel is closed.");
      }
      ahead = startedAhead && current != null && current.alive();
      fresh = ahead || launch(limits);
      startedAhead = false;
      kernel = current;
    }
    KernelExecution execution = new KernelExecution(kernel, limits, listener, settings, startNanos, fresh, ahead,
        lastCount, this::forget, interruptedEarly);
    running = execution;
    try {
      KernelResult result = execution.run(code, stdin);
      lastCount = result.executionCount();
      return result;
    } finally {
      running = null;
    }
  }

  /**
   * Starts the kernel's Python now, when none runs, without waiting for it to be ready: the next
   * {@link #execute} waits for its {@code ready} instead of starting one, and says
   * {@code start: "warm"}. For a new session, so that its Python starts while the client is still
   * busy with the session's creation. Blocks only while bwrap is spawned; a start that fails is
   * logged and left to the next execute, which tries again.
   */
  public void start() {
    synchronized (lock) {
      if (closed || current != null && current.alive()) {
        return;
      }
      try {
        launch(template.limits());
        startedAhead = true;
      } catch (SandboxUnavailableException e) {
        LoggerFactory.getLogger(SessionKernel.class).warn("a kernel was not started ahead: {}", e.getMessage());
      }
    }
  }

  /**
   * Starts a fresh Python unless one runs; true when it did. Holding {@link #lock}.
   *
   * @throws SandboxUnavailableException when it cannot be started
   */
  private boolean launch(ExecutionLimits limits) {
    if (current != null && current.alive()) {
      return false;
    }
    if (current != null) {
      current.kill(KernelObserver.CRASH);
      current = null;
    }
    current = KernelProcess.start(runner, spec(limits), KernelProtocol.maxLineBytes(settings.maxInlineResultBytes()),
        observer);
    lastCount = 0;
    return true;
  }

  /** Raises KeyboardInterrupt in the running execution; any thread; a no-op when nothing runs. */
  public void interrupt() {
    KernelExecution execution = running;
    if (execution != null) {
      execution.interrupt();
    }
  }

  /**
   * Ends the current Python (reported as {@code "restart"}) and returns once it and its group are
   * gone (briefly: as {@link #close}); the next execute starts fresh.
   */
  public void restart() {
    KernelProcess ending;
    synchronized (lock) {
      ending = current;
      current = null;
      startedAhead = false;
    }
    end(ending, KernelObserver.RESTART);
  }

  /** Whether its Python runs; never blocks (a metrics gauge may ask from an event loop). */
  public boolean alive() {
    KernelProcess kernel = current;
    return kernel != null && kernel.alive();
  }

  /** The kernel group's current memory usage, or null. */
  public Long memoryBytes() {
    KernelProcess kernel = current;
    return kernel == null ? null : kernel.memoryBytes();
  }

  /**
   * Kills the Python and removes its group, waiting (briefly) until both are gone; idempotent; a
   * running execute returns LOST. Reported as {@link KernelObserver#CLOSE}.
   */
  @Override
  public void close() {
    KernelProcess ending;
    synchronized (lock) {
      closed = true;
      ending = current;
      current = null;
    }
    end(ending, KernelObserver.CLOSE);
  }

  /** Kills {@code ending}, if any, for {@code reason}, and waits (briefly) until it is gone. */
  private static void end(KernelProcess ending, String reason) {
    if (ending == null) {
      return;
    }
    ending.kill(reason);
    try {
      ending.awaitEnd(KernelExecution.END_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The launch of a fresh kernel: the session's, running the runner, with these limits. */
  private LaunchSpec spec(ExecutionLimits limits) {
    Program program = new Program(List.of("python", "-c", RUNNER,
        Long.toString(settings.maxInlineResultBytes())), Optional.empty());
    return new LaunchSpec("kernel-" + template.executionId(), template.environment(), template.workDir(),
        template.volumes(), program, template.limits().withResources(limits.resources()));
  }

  private void forget(KernelProcess kernel) {
    synchronized (lock) {
      if (current == kernel) {
        current = null;
      }
    }
  }

  private static String load(String name) {
    try (InputStream in = SessionKernel.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
