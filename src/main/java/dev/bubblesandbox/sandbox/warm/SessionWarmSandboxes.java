package dev.bubblesandbox.sandbox.warm;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * The warm sandboxes of {@link WarmPool} for sessions: one per recently used session, its
 * workspace and volumes mounted, nothing preloaded (the workspace comes first on
 * {@code sys.path}: a cold start would import a module the session uploaded since, a preload
 * would not). A sandbox is kept for the workspace it mounted: a workspace unmounted and mounted
 * again (a session ended and opened again) is another directory (device and inode), and its old
 * sandbox is retired instead of used.
 */
final class SessionWarmSandboxes {

  /** A session's warm sandbox and the identity of the workspace it mounted. */
  private record Warm(WarmSandbox sandbox, Object workspace) { }

  /** By work dir, least recently used first. */
  private final LinkedHashMap<Path, Warm> warm = new LinkedHashMap<>();
  private final LinkedHashMap<Path, LaunchSpec> asked = new LinkedHashMap<>();

  /** Asks for a sandbox for the next execution in the work dir of {@code executed}. */
  synchronized void ask(LaunchSpec executed) {
    asked.put(executed.workDir().orElseThrow(), executed);
  }

  /** The session's warm sandbox, if it still fits {@code spec}, else null. */
  WarmSandbox take(LaunchSpec spec, String version) {
    Path workDir = spec.workDir().orElseThrow();
    Object identity = identity(workDir);
    Warm found;
    synchronized (this) {
      found = warm.remove(workDir);
    }
    if (found == null) {
      return null;
    }
    LaunchSpec warmed = found.sandbox().spec();
    if (found.sandbox().takeable() && found.sandbox().syncVersion().equals(version) && identity != null
        && identity.equals(found.workspace()) && warmed.environment().equals(spec.environment())
        && warmed.volumes().equals(spec.volumes())) {
      return found.sandbox();
    }
    found.sandbox().retire();
    return null;
  }

  synchronized long memoryBytes() {
    return warm.values().stream().mapToLong(entry -> entry.sandbox().memoryBytes()).sum();
  }

  /**
   * Retires what is stale (ended, its workspace gone or mounted again, its environment synced
   * again, started with other limits), then starts what was asked for, retiring the least recently used past
   * {@code settings.sessions()}. Runs on the pool's thread only.
   */
  void refill(EnvironmentCatalog catalog, WarmSettings settings, LongSupplier memoryHeld,
      BiFunction<LaunchSpec, String, WarmSandbox> starter, ExecutionLimits defaults) {
    List<Map.Entry<Path, LaunchSpec>> requests;
    List<Warm> kept;
    synchronized (this) {
      requests = new ArrayList<>(asked.entrySet());
      asked.clear();
      kept = new ArrayList<>(warm.values());
    }
    for (Warm entry : kept) {
      LaunchSpec spec = entry.sandbox().spec();
      if (!entry.sandbox().usable() || !Objects.equals(identity(spec.workDir().orElseThrow()), entry.workspace())
          || !entry.sandbox().syncVersion().equals(catalog.syncVersion(spec.environment().name()))
          || !spec.limits().equals(defaults)) {
        boolean removed;
        synchronized (this) {
          removed = warm.remove(spec.workDir().orElseThrow(), entry);
        }
        if (removed) { // else take() has just handed it to an execution
          entry.sandbox().retire();
        }
      }
    }
    for (Map.Entry<Path, LaunchSpec> request : requests) {
      LaunchSpec executed = request.getValue();
      Object identity = identity(request.getKey());
      synchronized (this) {
        if (identity == null || warm.containsKey(request.getKey())
            || memoryHeld.getAsLong() >= settings.memoryBytes()) {
          continue;
        }
      }
      WarmSandbox started;
      try {
        started = starter.apply(WarmReader.spec(executed.environment(), executed.workDir(),
            executed.volumes(), List.of(), defaults), catalog.syncVersion(executed.environment().name()));
      } catch (BubbleSandboxException e) {
        continue; // the workspace or a volume went meanwhile
      }
      if (started == null) {
        return; // the pool is closing
      }
      synchronized (this) {
        warm.put(request.getKey(), new Warm(started, identity));
        while (warm.size() > settings.sessions()) {
          Iterator<Warm> eldest = warm.values().iterator();
          eldest.next().sandbox().retire();
          eldest.remove();
        }
      }
    }
  }

  /** Takes every sandbox out, for the pool to retire them. */
  synchronized List<WarmSandbox> drain() {
    List<WarmSandbox> all = new ArrayList<>();
    warm.values().forEach(entry -> all.add(entry.sandbox()));
    warm.clear();
    asked.clear();
    return all;
  }

  /** The directory's device and inode, or null when it is gone. */
  private static Object identity(Path directory) {
    try {
      return Files.readAttributes(directory, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }
}
