package dev.bubblesandbox.sandbox.warm;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.SandboxExecution;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.limits.ResourceLimits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm sandboxes ({@link WarmSandbox}) for a server's Python executions, each used once: a few
 * per ready environment for one-shots ({@link OneShotWarmSandboxes}) and one per recently used
 * session ({@link SessionWarmSandboxes}). The pool's own thread starts them, never a request: it
 * refills after each take and each session execution, checks every second for environments
 * synced again and workspaces gone, and keeps the memory the waiting sandboxes hold together
 * under the configured cap. A launch that no warm sandbox fits (a shell or a command, limits a
 * warm group cannot take, an empty pool) starts cold, as before.
 */
public final class WarmPool implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(WarmPool.class);

  /** How often the pool looks for re-synced environments and gone workspaces when idle. */
  private static final long IDLE_CHECK_MILLIS = 1000;

  private final SandboxRunner runner;
  private final EnvironmentCatalog catalog;
  /**
   * The limits every warm sandbox starts with, replaced by {@link #resize}: one started with
   * others is never handed out, and is retired at the next refill.
   */
  private volatile ExecutionLimits defaults;
  /** Replaced whole by {@link #resize}: a reloaded configuration's pool sizes. */
  private volatile WarmSettings settings;
  private final OneShotWarmSandboxes oneShots = new OneShotWarmSandboxes();
  private final SessionWarmSandboxes sessions = new SessionWarmSandboxes();
  /** Every sandbox started and not known to have ended: what {@link #close} waits for. */
  private final List<WarmSandbox> started = new ArrayList<>();
  private final Thread refiller;
  /** The environments {@link #newEnvironments} was told of (refiller only). */
  private final Set<String> reported = new HashSet<>();
  private volatile Consumer<String> newEnvironments;
  private boolean closed;
  private boolean asked;

  public WarmPool(SandboxRunner runner, EnvironmentCatalog catalog, ExecutionLimits defaults, WarmSettings settings) {
    this.runner = runner;
    this.catalog = catalog;
    this.defaults = defaults;
    this.settings = settings;
    this.refiller = runner.threads().warmRefiller(this::refillLoop);
  }

  /**
   * Starts filling the pool, when warm sandboxes are on. The server calls it once it listens:
   * the first fills (Python processes importing their preloads) would otherwise share the CPU
   * with the server's own start and its first readiness check, which they do not serve.
   */
  public void fill() {
    synchronized (this) {
      if (settings.enabled() && !closed && refiller.getState() == Thread.State.NEW) {
        refiller.start();
      }
    }
  }

  /**
   * Starts {@code spec} in a warm sandbox when one fits, else returns empty for a cold start.
   * Only the hand-over runs here: no sandbox is started on this path.
   */
  public Optional<SandboxExecution> start(LaunchSpec spec, OutputListener listener) {
    ExecutionLimits now = defaults;
    if (!fits(spec, now)) {
      return Optional.empty();
    }
    String version = catalog.syncVersion(spec.environment().name());
    WarmSandbox sandbox = spec.workDir().isPresent() ? sessions.take(spec, version)
        : oneShots.take(spec, version, spec.limits().resources().memoryBytes() < now.resources().memoryBytes());
    if (sandbox != null && !sandbox.spec().limits().equals(now)) {
      sandbox.retire(); // started before a reload changed the limits
      sandbox = null;
    }
    wake();
    if (sandbox == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(sandbox.handOver(spec, listener));
    } catch (SandboxUnavailableException e) {
      // It ended while it waited (killed from outside, its preload ran out of memory): cold.
      logger.warn("warm sandbox unusable, starting cold: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Asks for a warm sandbox for the next execution in the session whose last execution was
   * {@code executed} (its work dir and volumes); it is started in the background.
   */
  public void keepWarm(LaunchSpec executed) {
    if (settings.enabled() && settings.sessions() > 0 && executed.workDir().isPresent()) {
      sessions.ask(executed);
      wake();
    }
  }

  /**
   * Tells {@code listener} of every environment the pool keeps one-shot sandboxes for, on the
   * pool's thread: those ready now, and each one added (declared and synced) while the server
   * runs.
   */
  public void onNewEnvironment(Consumer<String> listener) {
    newEnvironments = listener;
    wake();
  }

  /**
   * Keeps as many warm sandboxes as {@code next} says from now on: the pool starts those it
   * lacks, and one past a lower size is not replaced once used. With warm sandboxes turned off,
   * none is handed out or started again; those already waiting are retired at {@link #close}.
   */
  public void resize(WarmSettings next, ExecutionLimits limits) {
    synchronized (this) {
      settings = next;
      defaults = limits;
      if (next.enabled() && !closed && refiller.getState() == Thread.State.NEW) {
        refiller.start();
      }
    }
    wake();
  }

  /** The warm sandboxes waiting for {@code environment}'s one-shot executions. */
  public int waiting(String environment) {
    return oneShots.waiting(environment);
  }

  /** Whether a warm sandbox can run {@code spec} exactly as a cold start would. */
  boolean fits(LaunchSpec spec) {
    return fits(spec, defaults);
  }

  private boolean fits(LaunchSpec spec, ExecutionLimits defaults) {
    ExecutionLimits limits = spec.limits();
    ResourceLimits resources = limits.resources();
    boolean lowerOrSame = resources.atMost(defaults.resources()).equals(resources);
    // Where limits are set inside the sandbox (rlimits), a warm one keeps those it started with.
    boolean settable = resources.equals(defaults.resources())
        || runner.resources().sandboxedPrefix(resources).isEmpty();
    return settings.enabled()
        && spec.program().source().isPresent()
        && spec.program().argv().equals(Program.python("").argv())
        && (spec.workDir().isPresent() ? settings.sessions() > 0 : spec.volumes().isEmpty())
        && limits.tmpfsSizeBytes() == defaults.tmpfsSizeBytes()
        && limits.workspaceBytes() == defaults.workspaceBytes()
        && lowerOrSame && settable;
  }

  private synchronized void wake() {
    asked = true;
    notifyAll();
  }

  private void refillLoop() {
    long lookedNanos = System.nanoTime();
    while (true) {
      try {
        // After a take, the environments found ready at the last look are refilled; a look at
        // the catalog (synced again, added, removed) comes at most every IDLE_CHECK_MILLIS.
        boolean look = System.nanoTime() - lookedNanos >= TimeUnit.MILLISECONDS.toNanos(IDLE_CHECK_MILLIS);
        if (look) {
          lookedNanos = System.nanoTime();
        }
        oneShots.refill(catalog, settings, this::memoryHeld, this::startWarm, defaults, look);
        sessions.refill(catalog, settings, this::memoryHeld, this::startWarm, defaults);
      } catch (RuntimeException | OutOfMemoryError e) {
        logger.warn("warm sandboxes not refilled: {}", e.toString());
      }
      reportNewEnvironments();
      synchronized (this) {
        started.removeIf(WarmSandbox::ended);
        if (!asked && !closed) {
          try {
            // Woken by the next take, else when the next look is due.
            long sinceLook = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lookedNanos);
            wait(Math.max(1, IDLE_CHECK_MILLIS - sinceLook));
          } catch (InterruptedException e) {
            return;
          }
        }
        asked = false;
        if (closed) {
          return;
        }
      }
    }
  }

  private void reportNewEnvironments() {
    Consumer<String> listener = newEnvironments;
    if (listener != null) {
      for (String environment : oneShots.environments()) {
        try {
          if (reported.add(environment)) {
            listener.accept(environment);
          }
        } catch (RuntimeException e) {
          logger.warn("new environment {} not reported: {}", environment, e.toString());
        }
      }
    }
  }

  /** Memory the waiting warm sandboxes hold now (reads a file per sandbox: blocks). */
  public long memoryHeldBytes() {
    return memoryHeld();
  }

  private long memoryHeld() {
    return oneShots.memoryBytes() + sessions.memoryBytes();
  }

  /** Starts one warm sandbox; null once the pool is closing. */
  private WarmSandbox startWarm(LaunchSpec warmSpec, String version) {
    synchronized (this) {
      if (closed) {
        return null;
      }
      SandboxRunner.WarmStart start = runner.prepareWarm(warmSpec);
      WarmSandbox sandbox = new WarmSandbox(warmSpec, version, start.resources(), start.commands(),
          start.directory(), start.group(), runner.threads());
      started.add(sandbox);
      return sandbox;
    }
  }

  /** Retires every warm sandbox and waits until their processes and groups are gone. */
  @Override
  public void close() {
    List<WarmSandbox> all;
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      refiller.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    oneShots.drain().forEach(WarmSandbox::retire);
    sessions.drain().forEach(WarmSandbox::retire);
    synchronized (this) {
      all = new ArrayList<>(started);
    }
    all.forEach(WarmSandbox::retire);
    try {
      for (WarmSandbox sandbox : all) {
        sandbox.awaitEnd(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    CodePipe.discardStock(runner.privateDirectory());
  }
}
