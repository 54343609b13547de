package dev.bubblesandbox.sandbox.limits;

import dev.bubblesandbox.SandboxUnavailableException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Per-sandbox groups in the unified (v2) hierarchy, made under the {@code bubble-sandbox} parent
 * that {@link CgroupV2Delegation} prepared in this process's delegated group. Killing is one
 * write to {@code cgroup.kill}.
 */
final class CgroupV2Control implements ResourceControl {

  private static final long CPU_PERIOD_US = 100_000;

  private final Path parent;
  private final Set<String> controllers;
  private final boolean killFile;

  /**
   * @param parent the directory under which execution groups are made
   * @param controllers the controllers enabled for its children
   * @param killFile whether groups have {@code cgroup.kill} (Linux 5.14 and later)
   */
  CgroupV2Control(Path parent, Set<String> controllers, boolean killFile) {
    this.parent = parent;
    this.controllers = Set.copyOf(controllers);
    this.killFile = killFile;
  }

  @Override
  public String mechanism() {
    return "cgroup-v2";
  }

  @Override
  public Set<String> enforced() {
    return controllers;
  }

  @Override
  public Group create(String name) {
    try {
      return new V2Group(Files.createDirectory(parent.resolve(name)));
    } catch (IOException e) {
      throw new SandboxUnavailableException("Cannot set up the sandbox's cgroup: " + e.getMessage());
    }
  }

  @Override
  public void removeStale() {
    List<Path> stale = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, Files::isDirectory)) {
      for (Path child : children) {
        // Another live server's (or this one's) groups are not stale.
        if (!RunOwner.tokenOf(child.getFileName().toString(), RunOwner.GROUP_PREFIX)
            .map(RunOwner::alive).orElse(false)) {
          stale.add(child);
        }
      }
    } catch (IOException e) {
      return;
    }
    stale.forEach(dir -> new V2Group(dir).close());
  }

  /** One execution's directory. */
  private final class V2Group implements Group {
    private final Path dir;

    V2Group(Path dir) {
      this.dir = dir;
    }

    @Override
    public List<String> procsFiles() {
      return List.of(dir.resolve("cgroup.procs").toString());
    }

    @Override
    public void limit(ResourceLimits limits) {
      try {
        if (controllers.contains("memory")) {
          CgroupFiles.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
          if (Files.exists(dir.resolve("memory.swap.max"))) {
            // A sandbox must not page its way past the limit.
            CgroupFiles.write(dir.resolve("memory.swap.max"), "0");
          }
        }
        if (controllers.contains("pids")) {
          CgroupFiles.write(dir.resolve("pids.max"), Integer.toString(limits.maxTasks()));
        }
        if (controllers.contains("cpu")) {
          CgroupFiles.write(dir.resolve("cpu.max"),
              Math.max(1_000, Math.round(limits.cpus() * CPU_PERIOD_US)) + " " + CPU_PERIOD_US);
        }
      } catch (IOException e) {
        throw new SandboxUnavailableException("Cannot set the sandbox's cgroup limits: " + e.getMessage());
      }
    }

    @Override
    public void killAll() {
      for (int round = 0; round < 10 && populated(); round++) {
        if (killFile) {
          try {
            CgroupFiles.write(dir.resolve("cgroup.kill"), "1");
          } catch (IOException e) {
            return;
          }
        } else {
          freezeAndKill();
        }
        for (int i = 0; i < 100 && populated(); i++) {
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    /**
     * No cgroup.kill before Linux 5.14: freeze the group where it can be (Linux 5.2; a frozen
     * group cannot fork, so nothing escapes between reading its tasks and killing them), kill the
     * tasks one by one, thaw.
     */
    private void freezeAndKill() {
      boolean frozen = false;
      try {
        CgroupFiles.write(dir.resolve("cgroup.freeze"), "1");
        frozen = true;
        for (int i = 0; i < 100 && CgroupFiles.value(dir.resolve("cgroup.events"), "frozen").orElse(0) != 1; i++) {
          Thread.sleep(2);
        }
      } catch (IOException e) {
        // no freezer: kill unfrozen, round after round (see killAll)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      CgroupFiles.pids(dir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      if (frozen) {
        try {
          // Killed tasks die only once thawed.
          CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
        } catch (IOException e) {
          // gone already
        }
      }
    }

    private boolean populated() {
      return CgroupFiles.value(dir.resolve("cgroup.events"), "populated").orElse(0) > 0;
    }

    @Override
    public Usage usage() {
      String hit = null;
      if (CgroupFiles.value(dir.resolve("memory.events"), "oom_kill").orElse(0) > 0) {
        hit = "memory";
      } else if (CgroupFiles.value(dir.resolve("pids.events"), "max").orElse(0) > 0) {
        hit = "pids";
      }
      return new Usage(cpuTimeMs(), memoryPeakBytes(), hit);
    }

    @Override
    public Long cpuTimeMs() {
      OptionalLong usageUs = CgroupFiles.value(dir.resolve("cpu.stat"), "usage_usec");
      return usageUs.isPresent() ? usageUs.getAsLong() / 1_000 : null;
    }

    @Override
    public Long memoryBytes() {
      OptionalLong current = CgroupFiles.number(dir.resolve("memory.current"));
      return current.isPresent() ? current.getAsLong() : null;
    }

    @Override
    public Long memoryPeakBytes() {
      // memory.peak needs Linux 5.19 and the memory controller.
      OptionalLong peak = CgroupFiles.number(dir.resolve("memory.peak"));
      return peak.isPresent() ? peak.getAsLong() : null;
    }

    @Override
    public void close() {
      killAll();
      CgroupFiles.remove(dir);
    }
  }
}
