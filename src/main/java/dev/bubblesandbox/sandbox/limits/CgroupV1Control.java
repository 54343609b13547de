package dev.bubblesandbox.sandbox.limits;

import dev.bubblesandbox.SandboxUnavailableException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Per-sandbox groups in the cgroup v1 hierarchies (memory, pids, cpu, cpuacct, freezer), nested
 * under this process's own groups so that limits set on the server (a Kubernetes pod's, say)
 * still bound its sandboxes. Killing first kills the tasks the group lists and waits briefly for
 * it to empty (killing a sandbox's init ends its whole pid namespace); a task still there then
 * was forked meanwhile, and the freezer ends the rest: a frozen group cannot fork, so nothing
 * escapes between reading its task list and killing it.
 */
final class CgroupV1Control implements ResourceControl {

  private static final String PARENT = "bubble-sandbox";
  private static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct", "freezer");
  private static final long CFS_PERIOD_US = 100_000;
  private static final String MEMSW_LIMIT = "memory.memsw.limit_in_bytes";

  /** Controller name to the directory under which execution groups are made. */
  private final Map<String, Path> parents;
  /** Whether the memory controller counts swap (swapaccount): then swap is bounded too. */
  private final boolean swapAccounted;

  private CgroupV1Control(Map<String, Path> parents) {
    this.parents = parents;
    this.swapAccounted = Files.exists(parents.get("memory").resolve(MEMSW_LIMIT));
  }

  /** The control when every controller is mounted as v1 and writable here, else empty. */
  static Optional<ResourceControl> detect() {
    try {
      Optional<Map<String, Path>> own = CgroupMounts.v1Groups(CgroupMounts.read(),
          Files.readAllLines(Path.of("/proc/self/cgroup")), CONTROLLERS);
      if (own.isEmpty()) {
        return Optional.empty();
      }
      Map<String, Path> parents = new LinkedHashMap<>();
      for (Map.Entry<String, Path> group : own.get().entrySet()) {
        if (!Files.isDirectory(group.getValue())) {
          return Optional.empty();   // the mount shows some other tree: make no groups in it
        }
        Path parent = group.getValue().resolve(PARENT);
        Files.createDirectories(parent);
        parents.put(group.getKey(), parent);
      }
      return Optional.of(new CgroupV1Control(parents));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public String mechanism() {
    return "cgroup-v1";
  }

  @Override
  public Set<String> enforced() {
    return ALL;
  }

  @Override
  public Group create(String name) {
    Map<String, Path> dirs = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Path> parent : parents.entrySet()) {
        dirs.put(parent.getKey(), Files.createDirectory(parent.getValue().resolve(name)));
      }
    } catch (IOException e) {
      new V1Group(dirs, swapAccounted).close();
      throw new SandboxUnavailableException("Cannot set up the sandbox's cgroups: " + e.getMessage());
    }
    return new V1Group(dirs, swapAccounted);
  }

  @Override
  public void removeStale() {
    Path freezerParent = parents.get("freezer");
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(freezerParent, Files::isDirectory)) {
      for (Path child : children) {
        String name = child.getFileName().toString();
        // Another live server's (or this one's) groups are not stale.
        if (!RunOwner.tokenOf(name, RunOwner.GROUP_PREFIX).map(RunOwner::alive).orElse(false)) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      return;
    }
    for (String name : names) {
      Map<String, Path> dirs = new LinkedHashMap<>();
      parents.forEach((controller, parent) -> dirs.put(controller, parent.resolve(name)));
      new V1Group(dirs, swapAccounted).close();
    }
  }

  /** One execution's directories, one per controller. */
  private static final class V1Group implements Group {
    private final Map<String, Path> dirs;
    private final boolean swapAccounted;
    /**
     * Set once a kill found the group empty. Only a launch's own shell joins a group, when it
     * starts, so an emptied group stays empty: removing it need not read its tasks again.
     */
    private volatile boolean emptied;

    V1Group(Map<String, Path> dirs, boolean swapAccounted) {
      this.dirs = dirs;
      this.swapAccounted = swapAccounted;
    }

    @Override
    public List<String> procsFiles() {
      Set<Path> distinct = new LinkedHashSet<>(dirs.values());
      return distinct.stream().map(dir -> dir.resolve("cgroup.procs").toString()).toList();
    }

    @Override
    public void limit(ResourceLimits limits) {
      try {
        Path memory = dirs.get("memory");
        CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
        if (swapAccounted) {
          // Swap counts too: a sandbox must not page its way past the limit.
          CgroupFiles.write(memory.resolve(MEMSW_LIMIT), Long.toString(limits.memoryBytes()));
        }
        CgroupFiles.write(dirs.get("pids").resolve("pids.max"), Integer.toString(limits.maxTasks()));
        CgroupFiles.write(dirs.get("cpu").resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
        CgroupFiles.write(dirs.get("cpu").resolve("cpu.cfs_quota_us"),
            Long.toString(Math.max(1_000, Math.round(limits.cpus() * CFS_PERIOD_US))));
      } catch (IOException e) {
        throw new SandboxUnavailableException("Cannot set the sandbox's cgroup limits: " + e.getMessage());
      }
    }

    @Override
    public void killAll() {
      Path freezer = dirs.get("freezer");
      if (emptied || freezer == null || !Files.isDirectory(freezer)) {
        return;
      }
      if (killAndAwait(freezer)) {
        emptied = true;
        return;
      }
      for (int round = 0; round < 10 && !CgroupFiles.pids(freezer).isEmpty(); round++) {
        try {
          CgroupFiles.write(freezer.resolve("freezer.state"), "FROZEN");
          for (int i = 0; i < 100 && !CgroupFiles.read(freezer.resolve("freezer.state")).startsWith("FROZEN"); i++) {
            Thread.sleep(2);
          }
          killEach(freezer);
        } catch (IOException e) {
          // the group is going away
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          try {
            // Killed tasks die only once thawed.
            CgroupFiles.write(freezer.resolve("freezer.state"), "THAWED");
          } catch (IOException e) {
            // gone already
          }
        }
      }
    }

    /**
     * Kills the group's tasks as they are and waits up to 200 ms for it to empty. What is
     * usually left once bwrap has exited is the sandbox's own init, still tearing its namespaces
     * down (freezing waits for that as long, at more cost). False when a task is still there
     * (one forked between the read and the kill): then the freezer ends the rest.
     */
    private static boolean killAndAwait(Path freezer) {
      if (killEach(freezer)) {
        return true;
      }
      for (int i = 0; i < 100; i++) {
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        if (CgroupFiles.pids(freezer).isEmpty()) {
          return true;
        }
      }
      return false;
    }

    /** Kills every task the group lists now; true when it listed none. */
    private static boolean killEach(Path freezer) {
      List<Long> pids = CgroupFiles.pids(freezer);
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      return pids.isEmpty();
    }

    @Override
    public Usage usage() {
      String hit = null;
      if (CgroupFiles.value(dirs.get("memory").resolve("memory.oom_control"), "oom_kill").orElse(0) > 0) {
        hit = "memory";
      } else if (CgroupFiles.value(dirs.get("pids").resolve("pids.events"), "max").orElse(0) > 0) {
        hit = "pids";
      }
      return new Usage(cpuTimeMs(), memoryPeakBytes(), hit);
    }

    @Override
    public Long cpuTimeMs() {
      OptionalLong cpuNanos = CgroupFiles.number(dirs.get("cpuacct").resolve("cpuacct.usage"));
      return cpuNanos.isPresent() ? cpuNanos.getAsLong() / 1_000_000 : null;
    }

    @Override
    public Long memoryBytes() {
      OptionalLong current = CgroupFiles.number(dirs.get("memory").resolve("memory.usage_in_bytes"));
      return current.isPresent() ? current.getAsLong() : null;
    }

    @Override
    public Long memoryPeakBytes() {
      OptionalLong peak = CgroupFiles.number(dirs.get("memory").resolve("memory.max_usage_in_bytes"));
      return peak.isPresent() ? peak.getAsLong() : null;
    }

    @Override
    public void close() {
      killAll();
      dirs.values().forEach(CgroupFiles::remove);
    }
  }
}
