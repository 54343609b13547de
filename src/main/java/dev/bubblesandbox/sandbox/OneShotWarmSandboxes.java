package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.ReadyEnvironment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
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
      if (!candidate.usable() || !candidate.syncVersion().equals(version)
          || !candidate.spec().environment().equals(spec.environment())) {
        it.remove();
        candidate.retire();
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
   * Retires what is stale (ended, synced again, not ready) and starts what is missing while
   * {@code memoryHeld} stays under the cap. Runs on the pool's thread only.
   */
  void refill(EnvironmentCatalog catalog, WarmSettings settings, LongSupplier memoryHeld,
      BiFunction<LaunchSpec, String, WarmSandbox> starter, ExecutionLimits defaults) {
    List<String> names = catalog.names();
    synchronized (this) {
      for (String gone : new ArrayList<>(waiting.keySet())) {
        if (!names.contains(gone)) {
          retireAll(gone);
        }
      }
    }
    for (String name : names) {
      ReadyEnvironment environment;
      String version;
      try {
        environment = catalog.require(name);
        version = catalog.syncVersion(name);
      } catch (BubbleSandboxException e) {
        synchronized (this) {
          retireAll(name);
        }
        continue;
      }
      List<String> preload = preloadOf(catalog, name, version);
      int target = settings.countFor(name);
      while (true) {
        synchronized (this) {
          Deque<WarmSandbox> queue = waiting.computeIfAbsent(name, key -> new ArrayDeque<>());
          queue.removeIf(sandbox -> {
            boolean stale = !sandbox.usable() || !sandbox.syncVersion().equals(version)
                || !sandbox.spec().environment().equals(environment);
            if (stale) {
              sandbox.retire();
            }
            return stale;
          });
          if (queue.size() >= target || memoryHeld.getAsLong() >= settings.memoryBytes()) {
            break;
          }
        }
        WarmSandbox started = starter.apply(WarmReader.spec(environment, Optional.empty(), List.of(),
            preload, defaults), version);
        if (started == null) {
          return; // the pool is closing
        }
        synchronized (this) {
          waiting.computeIfAbsent(name, key -> new ArrayDeque<>()).add(started);
        }
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
