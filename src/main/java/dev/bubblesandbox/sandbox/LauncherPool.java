package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.output.OutputListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Launches kept ready for a server, each already inside its groups (see {@link Launcher}), and
 * refilled as they are used. When none is ready a launch is made on the spot, as the CLI does.
 */
public final class LauncherPool implements AutoCloseable {

  private final SandboxRunner runner;
  private final int size;
  private final Deque<Launcher> ready = new ArrayDeque<>();
  private boolean closed;

  LauncherPool(SandboxRunner runner, int size) {
    this.runner = runner;
    this.size = size;
    try {
      refill();
    } catch (RuntimeException | Error e) {
      // No pool to close comes back: end what was made.
      close();
      throw e;
    }
  }

  /** As {@link SandboxRunner#start}, with a launch that is ready where there is one. */
  public SandboxExecution start(LaunchSpec spec, OutputListener listener) {
    Launcher launcher = take();
    try {
      return runner.launch(launcher, spec, listener);
    } catch (SandboxUnavailableException e) {
      if (!launcher.endedEarly()) {
        throw e;
      }
      // Its shell died while it waited (killed from outside, say): one made now will do.
      return runner.launch(runner.prepare(), spec, listener);
    } finally {
      try {
        refill();
      } catch (RuntimeException | OutOfMemoryError e) {
        // No thread for a new launcher now ("unable to create native thread"): a sandbox that
        // started must still be returned, or nothing would track it. The next start refills.
      }
    }
  }

  private synchronized Launcher take() {
    Launcher launcher;
    while ((launcher = ready.poll()) != null) {
      if (launcher.usable()) {
        return launcher;
      }
      launcher.cancel();
    }
    return runner.prepare();
  }

  private synchronized void refill() {
    while (!closed && ready.size() < size) {
      ready.add(runner.prepare());
    }
  }

  /** Ends the ready launches and waits for their shells and groups to go. */
  @Override
  public void close() {
    List<Launcher> cancelled;
    synchronized (this) {
      closed = true;
      cancelled = new ArrayList<>(ready);
      ready.clear();
    }
    cancelled.forEach(Launcher::cancel);
    for (Launcher launcher : cancelled) {
      try {
        launcher.awaitEnd(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
