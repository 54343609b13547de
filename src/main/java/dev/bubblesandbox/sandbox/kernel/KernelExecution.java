package dev.bubblesandbox.sandbox.kernel;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.output.ReturnCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * One execute's course in a {@link SessionKernel}: the command sent, the runner's events taken in
 * order up to its {@code done} (or the kernel's end) and passed to the listener, the execution's
 * limits applied, its result made.
 */
final class KernelExecution {

  /**
   * How many times {@link KernelSettings#maxInlineResultBytes} the results of one execution may
   * hold in all; past it, bundles are dropped as output past {@code maxOutputBytes} is.
   */
  static final int RESULTS_PER_EXECUTION = 16;

  /** How long an end takes to be reported once the sandbox is killed: its group removed. */
  static final long END_MILLIS = TimeUnit.SECONDS.toMillis(10);

  private final KernelProcess kernel;
  private final ExecutionLimits limits;
  private final KernelListener listener;
  private final long startNanos;
  private final boolean fresh;
  /** Whether the fresh kernel was started ahead of this execution ({@link SessionKernel#start}). */
  private final boolean ahead;
  private final KernelSettings settings;
  /** The runner's execution count at its last {@code done} before this one (0: a fresh kernel). */
  private final int lastCount;
  /** Tells the session's kernel that this Python is gone. */
  private final Consumer<KernelProcess> forget;
  /** Whether an interrupt was asked for before this execution began (its caller's hand-over). */
  private final BooleanSupplier interruptedEarly;
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

  KernelExecution(KernelProcess kernel, ExecutionLimits limits, KernelListener listener, KernelSettings settings,
      long startNanos, boolean fresh, boolean ahead, int lastCount, Consumer<KernelProcess> forget,
      BooleanSupplier interruptedEarly) {
    this.kernel = kernel;
    this.limits = limits;
    this.listener = listener;
    this.settings = settings;
    this.startNanos = startNanos;
    this.fresh = fresh;
    this.ahead = ahead;
    this.lastCount = lastCount;
    this.forget = forget;
    this.interruptedEarly = interruptedEarly;
  }

  KernelResult run(String code, String stdin) {
    long deadline = startNanos + limits.timeout().toNanos();
    boolean lost = false;
    Long cpuBefore = null;
    try {
      if (fresh) {
        awaitReady(deadline);
      } else {
        kernel.dropStale();
      }
      // A kernel started ahead has the session's limits; this execution's may be lower.
      kernel.limit(limits.resources());
      cpuBefore = kernel.usage().cpuTimeMs();
      lost = !kernel.send(KernelProtocol.execute(code, stdin));
      sent = true;
      if (interrupted || interruptedEarly.getAsBoolean()) {
        // Asked before the code went (while the kernel started, or before this execution got
        // here): the runner takes it once the code is queued.
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
      forget.accept(kernel);
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
    int returnCode = lost ? lostReturnCode() : error != null ? 1 : 0;
    Long cpu = usage.cpuTimeMs() == null || cpuBefore == null ? usage.cpuTimeMs()
        : Long.valueOf(Math.max(0, usage.cpuTimeMs() - cpuBefore));
    long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    ExecutionResult execution = new ExecutionResult(stdout.toString(), stderr.toString(), returnCode,
        timedOut, truncated, durationMs, limit, cpu, usage.memoryPeakBytes(),
        fresh && !ahead ? ExecutionResult.START_COLD : ExecutionResult.START_WARM);
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
    forget.accept(kernel);
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
}
