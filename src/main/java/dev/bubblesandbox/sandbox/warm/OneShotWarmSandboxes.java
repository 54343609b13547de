package dev.bubblesandbox.sandbox.warm;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * The warm sandboxes of {@link WarmPool} for one-shot executions: a queue per ready environment,
 * each sandbox with the environment's preload modules imported.
 */
final class OneShotWarmSandboxes {

  private final Map<String, Deque<WarmSandbox>> waiting = new HashMap<>();
  /** Preload modules by environment, for the sync version they were read for (refiller only). */
  private final Map<String, Map.Entry<String, List<String>>> preloads = new HashMap<>();
  /** What the last look at the catalog found ready, by name (refiller only). */
  private Map<String, Found> found = Map.of();
  /**
   * Set when a take met a sandbox of an environment synced since, or a refill one that failed:
   * the catalog is looked at again on the next refill.
   */
  private volatile boolean lookAgain;

  /**
   * An environment as a look at the catalog found it ready (its sync version), and the spec its
   * sandboxes start from until the next look: one spec for all of them, each its own launch.
   */
  private record Found(String version, LaunchSpec spec) { }

  /**
   * A warm sandbox of {@code spec}'s environment synced as {@code version}, or null. A lowered
   * memory limit takes none that preloaded modules: they would count against it, which the
   * modules of a cold start would not.
   */
  synchronized WarmSandbox take(LaunchSpec spec, String version, boolean lowersMemory) {
    Deque<WarmSandbox> queue = waiting.get(spec.environment().name());
    if (queue == null) {
      return null;
    }
    for (Iterator<WarmSandbox> it = queue.iterator(); it.hasNext(); ) {
      WarmSandbox candidate = it.next();
      boolean synced = !candidate.syncVersion().equals(version)
          || !candidate.spec().environment().equals(spec.environment());
      if (synced || !candidate.usable()) {
        it.remove();
        candidate.retire();
        lookAgain |= synced;
      } else if (candidate.takeable() && !(lowersMemory && candidate.preloads())) {
        // One still importing its preload is passed over: a cold start is sooner.
        it.remove();
        return candidate;
      }
    }
    return null;
  }

  /** The sandboxes of {@code environment} that wait for code, ready to take it. */
  synchronized int waiting(String environment) {
    Deque<WarmSandbox> queue = waiting.get(environment);
    return queue == null ? 0 : (int) queue.stream().filter(WarmSandbox::ready).count();
  }

  /** The environments it keeps sandboxes for. */
  synchronized List<String> environments() {
    return List.copyOf(waiting.keySet());
  }

  synchronized long memoryBytes() {
    return waiting.values().stream().flatMap(Deque::stream).mapToLong(WarmSandbox::memoryBytes).sum();
  }

  /**
   * Retires what is stale (ended, synced again, not ready, started with other limits) and starts what is missing while
   * {@code memoryHeld} stays under the cap. Runs on the pool's thread only. The catalog is looked
   * at when {@code look} is set (the pool does so every second), and when a take met a sandbox of
   * an environment synced since; else the environments found ready last time are refilled. That
   * keeps the look's file checks off each execution's refill; a take checks the sync version
   * itself, so a sandbox started in between from an environment synced since is never used.
   */
  void refill(EnvironmentCatalog catalog, WarmSettings settings, LongSupplier memoryHeld,
      BiFunction<LaunchSpec, String, WarmSandbox> starter, ExecutionLimits defaults, boolean look) {
    boolean limitsChanged = found.values().stream().anyMatch(ready -> !ready.spec().limits().equals(defaults));
    if (look || lookAgain || found.isEmpty() || limitsChanged) {
      // A take may set it again meanwhile: harmless, the look below reads the catalog afresh.
      lookAgain = false;
      found = lookAt(catalog, defaults);
    }
    for (Map.Entry<String, Found> entry : found.entrySet()) {
      if (!topUp(entry.getKey(), entry.getValue(), settings, memoryHeld, starter)) {
        return; // the pool is closing
      }
    }
  }

  /** Finds the ready environments; retires the sandboxes of those gone or no longer ready. */
  private Map<String, Found> lookAt(EnvironmentCatalog catalog, ExecutionLimits defaults) {
    List<String> names = catalog.names();
    Map<String, Found> ready = new LinkedHashMap<>();
    synchronized (this) {
      for (String gone : new ArrayList<>(waiting.keySet())) {
        if (!names.contains(gone)) {
          retireAll(gone);
        }
      }
    }
    for (String name : names) {
      try {
        ReadyEnvironment environment = catalog.require(name);
        String version = catalog.syncVersion(name);
        ready.put(name, new Found(version, WarmReader.spec(environment, Optional.empty(),
            List.of(), preloadOf(catalog, name, version), defaults)));
      } catch (BubbleSandboxException | UncheckedIOException e) {
        // Not ready, or its files changing under the look (a sync): none are kept meanwhile.
        synchronized (this) {
          retireAll(name);
        }
      }
    }
    return ready;
  }

  /** Starts {@code name}'s missing sandboxes; false once the pool is closing. */
  private boolean topUp(String name, Found ready, WarmSettings settings, LongSupplier memoryHeld,
      BiFunction<LaunchSpec, String, WarmSandbox> starter) {
    String version = ready.version();
    int target = settings.countFor(name);
    while (true) {
      synchronized (this) {
        Deque<WarmSandbox> queue = waiting.computeIfAbsent(name, key -> new ArrayDeque<>());
        queue.removeIf(sandbox -> {
          boolean failed = !sandbox.usable();
          boolean stale = failed || !sandbox.syncVersion().equals(version)
              || !sandbox.spec().environment().equals(ready.spec().environment())
              || !sandbox.spec().limits().equals(ready.spec().limits());
          if (stale) {
            sandbox.retire();
          }
          // One that failed waiting may mean its environment is no longer ready: look again.
          lookAgain |= failed;
          return stale;
        });
        if (queue.size() >= target || memoryHeld.getAsLong() >= settings.memoryBytes()) {
          return true;
        }
      }
      WarmSandbox started = starter.apply(ready.spec(), version);
      if (started == null) {
        return false;
      }
      synchronized (this) {
        waiting.computeIfAbsent(name, key -> new ArrayDeque<>()).add(started);
      }
    }
  }

  /** Takes every sandbox out, for the pool to retire them. */
  synchronized List<WarmSandbox> drain() {
    List<WarmSandbox> all = new ArrayList<>();
    waiting.values().forEach(all::addAll);
    waiting.clear();
    return all;
  }

  private List<String> preloadOf(EnvironmentCatalog catalog, String name, String version) {
    Map.Entry<String, List<String>> cached = preloads.get(name);
    if (cached != null && cached.getKey().equals(version)) {
      return cached.getValue();
    }
    List<String> modules = catalog.describe(name).preload().usable();
    preloads.put(name, Map.entry(version, modules));
    return modules;
  }

  private void retireAll(String name) {
    Deque<WarmSandbox> queue = waiting.remove(name);
    if (queue != null) {
      queue.forEach(WarmSandbox::retire);
    }
  }
}
