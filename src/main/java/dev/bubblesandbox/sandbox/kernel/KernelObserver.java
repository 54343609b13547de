package dev.bubblesandbox.sandbox.kernel;

/**
 * Learns when kernels start and end, for {@code bubble_sandbox_kernels} and
 * {@code bubble_sandbox_kernel_restarts_total{reason}}.
 */
public interface KernelObserver {

  /** Why a kernel ended: asked to restart. */
  String RESTART = "restart";
  /** It hit its memory limit. */
  String MEMORY = "memory";
  /** It hit its task limit. */
  String PIDS = "pids";
  /** It did not yield to the interrupt of a timed-out execution. */
  String TIMEOUT = "timeout";
  /** It died. */
  String CRASH = "crash";
  /** It broke the protocol (a bad or too long event line). */
  String PROTOCOL = "protocol";
  /** It was closed with its session: no restart, not to be counted as one. */
  String CLOSE = "close";

  /** A kernel's Python started. */
  void started();

  /**
   * A kernel's Python ended, once per {@link #started}; {@code reason} is one of this type's
   * constants. Closing a kernel with its session is no restart and reports {@link #CLOSE}.
   */
  void ended(String reason);

  KernelObserver NONE = new KernelObserver() {
    @Override
    public void started() { }

    @Override
    public void ended(String reason) { }
  };
}
