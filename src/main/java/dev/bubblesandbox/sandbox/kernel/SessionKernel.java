package dev.bubblesandbox.sandbox.kernel;

import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.SandboxRunner;

/**
 * The kernel of one session: starts its Python lazily on the first execute (or after lost or
 * restart). Thread-safe; one execute at a time (the caller, the session layer, already
 * guarantees it).
 */
public final class SessionKernel implements AutoCloseable {

  private SessionKernel() { }

  /**
   * A kernel for a session.
   *
   * @param template the session's spec (environment, workDir, volumes, limits); its program is
   *     ignored
   */
  public static SessionKernel open(SandboxRunner runner, LaunchSpec template, KernelSettings settings,
      KernelObserver observer) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Runs {@code code} in the kernel. Blocking (call on a worker thread).
   */
  public KernelResult execute(String code, String stdin, ExecutionLimits limits, KernelListener listener) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Raises KeyboardInterrupt in the running execution; any thread, non-blocking. */
  public void interrupt() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Ends the current Python; the next execute starts fresh. */
  public void restart() {
    throw new UnsupportedOperationException("not yet");
  }

  public boolean alive() {
    throw new UnsupportedOperationException("not yet");
  }

  /** The kernel group's current memory usage, or null. */
  public Long memoryBytes() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Kills the Python and removes its group; idempotent; a running execute returns LOST. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("not yet");
  }
}
