package dev.bubblesandbox.sandbox.output;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.limits.ResourceControl;

/**
 * Turns how a watched launch ended into its {@link ExecutionResult}, or into the failure of a
 * sandbox that never ran its program. The exit status is converted here, once ({@link ReturnCode}).
 */
public final class ResultAssembler {

  private ResultAssembler() {}

  /**
   * Whether the program never ran: bwrap exited by itself (no timeout, no signal) without having
   * executed it (see {@link dev.bubblesandbox.sandbox.LaunchTrace#programExecuted}).
   */
  public static boolean notStarted(boolean timedOut, int status, boolean executed) {
    return !timedOut && status <= 128 && !executed;
  }

  /**
   * The failure of a launch whose program never ran. What stderr holds is the launcher's or
   * bwrap's own message: it may name host paths and is no output of the program. The failure
   * carries it (for the log), not a result.
   */
  public static SandboxUnavailableException notStartedFailure(int status, OutputCapture stderr) {
    return new SandboxUnavailableException("The sandbox could not be started (exit " + status
        + "): " + stderr.text().strip());
  }

  /** The result of a program that ran, with which limit (if any) ended or cut it. */
  public static ExecutionResult result(OutputCapture stdout, OutputCapture stderr, int status,
      boolean timedOut, long durationMs, ResourceControl.Usage usage) {
    boolean truncated = stdout.truncated() || stderr.truncated();
    String limit = timedOut ? ExecutionResult.LIMIT_TIMEOUT
        : usage.limitHit() != null ? usage.limitHit()
        : truncated ? ExecutionResult.LIMIT_OUTPUT : null;
    return new ExecutionResult(stdout.text(), stderr.text(),
        timedOut ? ReturnCode.KILLED : ReturnCode.fromShellStatus(status), timedOut, truncated,
        durationMs, limit, usage.cpuTimeMs(), usage.memoryPeakBytes());
  }
}
