package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputCapture;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.output.OutputPump;
import dev.bubblesandbox.sandbox.output.ResultAssembler;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Watches one started execution to its end, on the thread that started bwrap (see
 * {@link Launcher} for why it must be that thread): pumps its output, kills it at its timeout,
 * ends what is left in its group, and completes its result ({@link ResultAssembler}).
 */
public final class ExecutionWatcher {

  /** How long the output pumps may take to reach end-of-file once bwrap has exited. */
  private static final long PUMP_DRAIN_SECONDS = 5;

  private ExecutionWatcher() {}

  /**
   * Watches {@code process}, started at {@code startNanos}, until it ends, then completes
   * {@code result}, deletes the files of {@code trace} and removes {@code group}. Never throws.
   */
  public static void watch(LaunchSpec spec, OutputListener listener, ResourceControl.Group group,
      Process process, long startNanos, CompletableFuture<ExecutionResult> result, LaunchTrace trace,
      SandboxThreads threads) {
    try {
      OutputCapture stdout = new OutputCapture(spec.limits().maxOutputBytes());
      OutputCapture stderr = new OutputCapture(spec.limits().maxOutputBytes());
      Future<?> stdoutPump = OutputPump.start(threads.outputPumps(), process.getInputStream(), stdout,
          OutputListener.Stream.STDOUT, listener);
      Future<?> stderrPump = OutputPump.start(threads.outputPumps(), process.getErrorStream(), stderr,
          OutputListener.Stream.STDERR, listener);

      long timeoutNanos = spec.limits().timeout().toNanos() - (System.nanoTime() - startNanos);
      boolean timedOut = !process.waitFor(timeoutNanos, TimeUnit.NANOSECONDS);
      if (timedOut) {
        SandboxExecution.killAll(process, group);
      }
      int status = process.waitFor();
      long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      // bwrap is gone: whatever is left in the group holds the output pipes open. End it now.
      group.killAll();
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PUMP_DRAIN_SECONDS);
      awaitQuietly(stdoutPump, drainDeadline);
      awaitQuietly(stderrPump, drainDeadline);
      closeQuietly(process.getInputStream());
      closeQuietly(process.getErrorStream());

      boolean executed = trace.programExecuted();
      // Gone before the result is, so that nothing of the launch outlives it.
      trace.delete();
      if (ResultAssembler.notStarted(timedOut, status, executed)) {
        group.close();
        result.completeExceptionally(ResultAssembler.notStartedFailure(status, stderr));
        return;
      }
      result.complete(ResultAssembler.result(stdout, stderr, status, timedOut, durationMs, group.usage()));
      // Its processes are dead already: removing the group need not delay the result.
      group.close();
    } catch (InterruptedException e) {
      SandboxExecution.killAll(process, group);
      group.close();
      Thread.currentThread().interrupt();
      result.completeExceptionally(e);
    } catch (RuntimeException | Error e) {
      SandboxExecution.killAll(process, group);
      group.close();
      result.completeExceptionally(e);
    }
  }

  /** Waits for a pump until {@code deadline}; one still reading then stops when its stream closes. */
  private static void awaitQuietly(Future<?> pump, long deadline) throws InterruptedException {
    try {
      pump.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // a pump ends its stream itself; past the deadline, closing the stream ends it
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
