package dev.bubblesandbox.server.web;

import dev.bubblesandbox.sandbox.SandboxRunner;
import java.util.Optional;

/**
 * Whether bwrap starts a sandbox here, as readiness reports it. A probe starts a process: its
 * answer is reused for a few seconds under frequent polling, and one probe runs at a time. The
 * server starts the first one itself, beside the rest of its start-up, so that the first
 * readiness check finds its answer (or waits for it) instead of only then starting the process.
 * A probe that found a problem is never reused: the next check probes again.
 */
public final class SandboxProbe {

  private static final long REUSE_NANOS = 5_000_000_000L;

  private final SandboxRunner runner;
  private Optional<String> last = Optional.empty();
  private long lastAt;
  private boolean probed;

  public SandboxProbe(SandboxRunner runner) {
    this.runner = runner;
  }

  /** What keeps a sandbox from starting, if anything: blocking, off the event loop only. */
  public synchronized Optional<String> problem() {
    if (!probed || last.isPresent() || System.nanoTime() - lastAt > REUSE_NANOS) {
      last = runner.probe();
      lastAt = System.nanoTime();
      probed = true;
    }
    return last;
  }
}
