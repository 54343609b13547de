package dev.bubblesandbox.sandbox.kernel;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.output.ReturnCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

  /**
   * How many times {@link KernelSettings#maxInlineResultBytes} the results of one execution may
   * hold in all; past it, bundles are dropped as output past {@code maxOutputBytes} is.
   */
  static final int RESULTS_PER_EXECUTION = 16;

  /** How long an end takes to be reported once the sandbox is killed: its group removed. */
  private static final long END_MILLIS = TimeUnit.SECONDS.toMillis(10);

  private final SandboxRunner runner;
  private final LaunchSpec template;
  private final KernelSettings settings;
  private final KernelObserver observer;
  private final Object lock = new Object();
  /** The Python of the kernel, null before the first execute, after a loss or a restart. */
  private volatile KernelProcess current;
  private boolean closed;
  /** The execution in progress: what {@link #interrupt} reaches. */
  private volatile Execution running;
  /** The runner's execution count at its last {@code done}. */
  private int lastCount;

  private SessionKernel(SandboxRunner runner, LaunchSpec template, KernelSettings settings,
      KernelObserver observer) {
    this.runner = runner;
    this.template = template;
    this.settings = settings;
    this.observer = observer;
  }

  /**
   * A kernel for a session; nothing starts until the first {@link #execute}.
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
    long startNanos = System.nanoTime();
    KernelProcess kernel;
    boolean fresh = false;
    synchronized (lock) {
      if (closed) {
        throw new SandboxUnavailableException("The session's kernel is closed.");
      }
      if (current == null || !current.alive()) {
        if (current != null) {
          current.kill(KernelObserver.CRASH);
        }
        current = KernelProcess.start(runner, spec(limits), KernelProtocol.maxLineBytes(settings.maxInlineResultBytes()),
            observer);
        lastCount = 0;
        fresh = true;
      }
      kernel = current;
    }
    Execution execution = new Execution(kernel, limits, listener, startNanos, fresh);
    running = execution;
    try {
      return execution.run(code, stdin);
    } finally {
      running = null;
    }
  }

  /** Raises KeyboardInterrupt in the running execution; any thread; a no-op when nothing runs. */
  public void interrupt() {
    Execution execution = running;
    if (execution != null) {
      execution.interrupt();
    }
  }

  /** Ends the current Python (reported as {@code "restart"}); the next execute starts fresh. */
  public void restart() {
    KernelProcess ending;
    synchronized (lock) {
      ending = current;
      current = null;
    }
    if (ending != null) {
      ending.kill(KernelObserver.RESTART);
    }
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
    if (ending != null) {
      ending.kill(KernelObserver.CLOSE);
      try {
        ending.awaitEnd(END_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
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

  /** One execute's course: its events, its limits, its result. */
  private final class Execution {
    private final KernelProcess kernel;
    private final ExecutionLimits limits;
    private final KernelListener listener;
    private final long startNanos;
    private final boolean fresh;
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private final List<Map<String, Object>> results = new ArrayList<>();
    private long stdoutBytes;
    private long stderrBytes;
    private long resultChars;
    private boolean timedOut;
    private boolean truncated;
    /** Whether an interrupt was asked for: one asked before the execute command went is sent after it. */
    private volatile boolean interrupted;
    /** Whether a limit on output has interrupted the code: once is enough. */
    private boolean outputInterrupted;
    /** Whether the execute command went: an interrupt before it waits for it. */
    private volatile boolean sent;
    private String limit;
    private KernelError error;
    private Integer count;

    Execution(KernelProcess kernel, ExecutionLimits limits, KernelListener listener, long startNanos,
        boolean fresh) {
      this.kernel = kernel;
      this.limits = limits;
      this.listener = listener;
      this.startNanos = startNanos;
      this.fresh = fresh;
    }

    KernelResult run(String code, String stdin) {
      long deadline = startNanos + limits.timeout().toNanos();
      boolean lost = false;
      Long cpuBefore = null;
      try {
        if (fresh) {
          awaitReady(deadline);
        } else {
          kernel.limit(limits.resources());
          kernel.dropStale();
        }
        cpuBefore = kernel.usage().cpuTimeMs();
        lost = !kernel.send(KernelProtocol.execute(code, stdin));
        sent = true;
        if (interrupted) { // asked while the kernel started: the runner takes it once the code is queued
          kernel.send(KernelProtocol.INTERRUPT);
        }
        lost = lost || !follow(deadline);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kernel.kill(KernelObserver.CRASH);
        lost = true;
      }
      ResourceControl.Usage usage = kernel.usage();
      if (!lost && usage.limitHit() != null) {
        // A child process hit the limit, or the tasks ran out: the kernel's state is not to be
        // trusted (a fork bomb still runs), so it ends as a kernel the group killed would.
        kernel.kill(usage.limitHit());
        lost = true;
      }
      if (lost) {
        forget(kernel);
        awaitEnd();
        ResourceControl.Usage last = kernel.finalUsage();
        if (last != null) {
          usage = last;
        }
        if ((limit == null || ExecutionResult.LIMIT_OUTPUT.equals(limit)) && usage.limitHit() != null) {
          limit = usage.limitHit();
        }
      }
      int executionCount = count != null ? count : lastCount + 1;
      lastCount = executionCount;
      int returnCode = lost ? lostReturnCode() : error != null ? 1 : 0;
      Long cpu = usage.cpuTimeMs() == null || cpuBefore == null ? usage.cpuTimeMs()
          : Long.valueOf(Math.max(0, usage.cpuTimeMs() - cpuBefore));
      long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      ExecutionResult execution = new ExecutionResult(stdout.toString(), stderr.toString(), returnCode,
          timedOut, truncated, durationMs, limit, cpu, usage.memoryPeakBytes(),
          fresh ? ExecutionResult.START_COLD : ExecutionResult.START_WARM);
      KernelState state = lost ? KernelState.LOST : fresh ? KernelState.RESTARTED : KernelState.PRESERVED;
      return new KernelResult(execution, results, error, executionCount, state);
    }

    /**
     * Waits for a fresh runner's {@code ready}. What its start printed before (IPython's warnings
     * about a read-only home, say) is no output of the execution: dropped.
     */
    private void awaitReady(long deadline) throws InterruptedException {
      Object item = kernel.next(deadline - System.nanoTime());
      while (item instanceof KernelEvent event && event.type() == KernelEvent.Type.STREAM) {
        item = kernel.next(deadline - System.nanoTime());
      }
      if (item instanceof KernelEvent event && event.type() == KernelEvent.Type.READY) {
        return;
      }
      kernel.kill(item == null ? KernelObserver.TIMEOUT : KernelObserver.CRASH);
      forget(kernel);
      awaitEnd();
      throw new SandboxUnavailableException(item == null
          ? "The kernel did not start within the execution's timeout."
          : "The kernel ended before it was ready (the environment's Python could not start it).");
    }

    /** Takes the execution's events up to its {@code done}; false when the kernel ended first. */
    private boolean follow(long deadline) throws InterruptedException {
      while (true) {
        Object item = kernel.next(deadline - System.nanoTime());
        if (item == null) {
          if (timedOut) {
            kernel.kill(KernelObserver.TIMEOUT);
            return false;
          }
          timedOut = true;
          limit = ExecutionResult.LIMIT_TIMEOUT;
          interrupt();
          deadline = System.nanoTime() + settings.interruptGrace().toNanos();
          continue;
        }
        if (!(item instanceof KernelEvent event)) {
          return false; // the End
        }
        switch (event.type()) {
          case STREAM -> stream(event.stderr(), event.text());
          case DISPLAY -> bundle(event, false);
          case RESULT -> bundle(event, true);
          case ERROR -> error = event.error();
          case DONE -> {
            count = event.executionCount();
            return true;
          }
          case READY -> { } // only a fresh runner's first event means anything
          default -> throw new IllegalStateException("unknown event " + event.type());
        }
      }
    }

    /** Interrupts the code; any thread. */
    void interrupt() {
      interrupted = true;
      if (sent) {
        kernel.send(KernelProtocol.INTERRUPT);
      }
    }

    /** Interrupts the code for output past a limit, once: each further chunk would ask again. */
    private void interruptForOutput() {
      if (!outputInterrupted) {
        outputInterrupted = true;
        interrupt();
      }
    }

    private void stream(boolean isStderr, String text) {
      long used = isStderr ? stderrBytes : stdoutBytes;
      long room = limits.maxOutputBytes() - used;
      String kept = text;
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > room) {
        kept = room <= 0 ? "" : prefix(text, room);
        truncated = true;
        if (limit == null) {
          limit = ExecutionResult.LIMIT_OUTPUT;
        }
        interruptForOutput();
      }
      if (kept.isEmpty()) {
        return;
      }
      long keptBytes = kept == text ? bytes.length : kept.getBytes(StandardCharsets.UTF_8).length;
      if (isStderr) {
        stderrBytes += keptBytes;
        stderr.append(kept);
      } else {
        stdoutBytes += keptBytes;
        stdout.append(kept);
      }
      try {
        listener.onOutput(isStderr ? OutputListener.Stream.STDERR : OutputListener.Stream.STDOUT, kept);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }

    private void bundle(KernelEvent event, boolean main) {
      resultChars += event.size();
      if (resultChars > RESULTS_PER_EXECUTION * settings.maxInlineResultBytes()) {
        truncated = true;
        if (limit == null) {
          limit = ExecutionResult.LIMIT_OUTPUT;
        }
        interruptForOutput();
        return;
      }
      Map<String, Object> bundle = event.bundle();
      Map<String, Object> entry = new LinkedHashMap<>(bundle);
      entry.put("is_main_result", main);
      results.add(entry);
      try {
        if (main) {
          listener.onResult(bundle);
        } else {
          listener.onDisplay(bundle);
        }
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }

    private int lostReturnCode() {
      Integer status = kernel.exitStatus();
      return status == null || status > 128 || status < 0 ? ReturnCode.KILLED : status;
    }

    private void awaitEnd() {
      try {
        kernel.awaitEnd(END_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A listener's failure (the server's) must not leave the runner's events half taken: the
   * execution goes on to its {@code done}, and the failure is logged.
   */
  private static void listenerFailed(RuntimeException e) {
    LoggerFactory.getLogger(SessionKernel.class).warn("a kernel listener failed", e);
  }

  /** The longest prefix of {@code text} of at most {@code maxBytes} UTF-8 bytes. */
  private static String prefix(String text, long maxBytes) {
    long bytes = 0;
    int end = 0;
    while (end < text.length()) {
      int codePoint = text.codePointAt(end);
      int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
      if (bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      end += Character.charCount(codePoint);
    }
    return text.substring(0, end);
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
