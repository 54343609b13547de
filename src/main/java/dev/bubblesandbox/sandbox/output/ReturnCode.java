package dev.bubblesandbox.sandbox.output;

/**
 * The one representation of how a sandboxed process ended, {@link ExecutionResult#returnCode()}:
 * its exit status, or {@code -N} when signal N ended it, like Python's subprocess. Both
 * conversions to and from a shell's 128+N (what bwrap reports, what the CLI exits with) are here.
 */
public final class ReturnCode {

  /** Signals are 1 to 64 on Linux: only 129..192 can mean one. */
  private static final int MAX_SIGNAL = 64;

  private static final int SIGKILL = 9;

  /** What a process killed at its timeout ends with. */
  public static final int KILLED = killedBy(SIGKILL);

  private ReturnCode() {}

  /**
   * From a shell-style status (bwrap reports a child ended by signal N as 128+N). An explicit
   * exit status in 129..192 is read the same way: a shell cannot tell them apart either.
   */
  static int fromShellStatus(int status) {
    return status > 128 && status <= 128 + MAX_SIGNAL ? killedBy(status - 128) : status;
  }

  /** The shell-style status of {@code returnCode}: 128+N for a process ended by signal N. */
  public static int toShellStatus(int returnCode) {
    return returnCode < 0 ? 128 - returnCode : returnCode;
  }

  private static int killedBy(int signal) {
    return -signal;
  }
}
