package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Per-sandbox groups in the unified (v2) hierarchy, under the group this process was given (a
 * systemd unit with {@code Delegate=yes}, a container's cgroup namespace). v2 lets no group hold
 * processes and hand controllers to children at once, so at start-up this process and its
 * companions move into a {@code server} leaf beside the {@code bubble-sandbox} parent of the
 * execution groups. Killing is one write to {@code cgroup.kill}.
 */
final class CgroupV2Control implements ResourceControl {

  static final String PARENT = "bubble-sandbox";
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

  /**
   * The control when this process's v2 group is writable here and offers every controller,
   * else empty. Moves this process into a leaf of its group on the way (see above).
   */
  static Optional<ResourceControl> detect() {
    try {
      Optional<Path> base = delegatedGroup();
      return base.isPresent() ? Optional.of(prepare(base.get(), ALL)) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The v2 group a server here would use, found without changing anything. Being able to write
   * a group (root can write any) is not enough: it must have been handed to this process, or
   * reorganizing it would move a login session's processes or fight systemd. Handed over means:
   * the root of this process's cgroup namespace (a container), a {@code server} leaf whose
   * parent holds no process (systemd's {@code DelegateSubgroup=server}, or an earlier start),
   * or a group marked {@code user.delegate} (systemd's user manager).
   */
  static Optional<Path> delegatedGroup() {
    try {
      Optional<Path> mount = mountPoint(Files.readAllLines(Path.of("/proc/self/mounts")));
      Optional<String> own = ownGroup(Files.readAllLines(Path.of("/proc/self/cgroup")));
      if (mount.isEmpty() || own.isEmpty()) {
        return Optional.empty();
      }
      Path base = mount.get().resolve(own.get().substring(1));
      Path above = base.getParent();
      if (base.endsWith("server") && above != null && usable(above) && CgroupFiles.pids(above).isEmpty()) {
        return Optional.of(above);
      }
      boolean handedOver = own.get().equals("/") || delegateMark(base);
      return handedOver && usable(base) ? Optional.of(base) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** systemd's mark on a group delegated to a user manager. */
  private static boolean delegateMark(Path group) {
    try {
      UserDefinedFileAttributeView view = Files.getFileAttributeView(group, UserDefinedFileAttributeView.class);
      if (view == null || !view.list().contains("delegate")) {
        return false;
      }
      ByteBuffer value = ByteBuffer.allocate(view.size("delegate"));
      view.read("delegate", value);
      return new String(value.array(), 0, value.position(), StandardCharsets.US_ASCII).equals("1");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Whether {@code group} offers every controller and lets this process reorganize it. */
  private static boolean usable(Path group) throws IOException {
    return words(group.resolve("cgroup.controllers")).containsAll(ALL)
        && Files.isWritable(group.resolve("cgroup.subtree_control"))
        && Files.isWritable(group.resolve("cgroup.procs"));
  }

  /**
   * The host's root group: the one that may hold processes and hand controllers on at once (it
   * has no cgroup.freeze). A cgroup namespace's root is an ordinary group.
   */
  private static boolean hostRoot(Path group) {
    return !Files.exists(group.resolve("cgroup.freeze"));
  }

  /**
   * Makes {@code base} hand {@code wanted} to a {@code bubble-sandbox} child that hands them on:
   * unless {@code base} is the host's root, its processes move to a {@code server} leaf first.
   */
  static CgroupV2Control prepare(Path base, Set<String> wanted) throws IOException {
    Path parent = base.resolve(PARENT);
    if (!hostRoot(base)) {
      Path server = base.resolve("server");
      if (!Files.isDirectory(server)) {
        Files.createDirectory(server);
      }
      for (long pid : CgroupFiles.pids(base)) {
        try {
          CgroupFiles.write(server.resolve("cgroup.procs"), Long.toString(pid));
        } catch (IOException e) {
          // a process that ended: it holds nothing back
        }
      }
    }
    String enable = String.join(" ", wanted.stream().map(name -> "+" + name).toList());
    if (!wanted.isEmpty()) {
      CgroupFiles.write(base.resolve("cgroup.subtree_control"), enable);
    }
    if (!Files.isDirectory(parent)) {
      Files.createDirectory(parent);
    }
    if (!wanted.isEmpty()) {
      CgroupFiles.write(parent.resolve("cgroup.subtree_control"), enable);
    }
    return new CgroupV2Control(parent, wanted, Files.exists(parent.resolve("cgroup.kill")));
  }

  /** The unified hierarchy's mount point, from /proc/self/mounts. */
  static Optional<Path> mountPoint(List<String> mountLines) {
    for (String line : mountLines) {
      String[] fields = line.split(" ");
      if (fields.length >= 3 && fields[2].equals("cgroup2")) {
        return Optional.of(Path.of(fields[1]));
      }
    }
    return Optional.empty();
  }

  /** This process's v2 group, the {@code 0::} line of /proc/self/cgroup. */
  static Optional<String> ownGroup(List<String> cgroupLines) {
    return cgroupLines.stream().filter(line -> line.startsWith("0::"))
        .map(line -> line.substring(3)).findFirst();
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
        if (!RunOwner.tokenOf(child.getFileName().toString(), SandboxRunner.GROUP_PREFIX)
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
      OptionalLong usageUs = CgroupFiles.value(dir.resolve("cpu.stat"), "usage_usec");
      // memory.peak needs Linux 5.19 and the memory controller.
      OptionalLong peak = CgroupFiles.number(dir.resolve("memory.peak"));
      String hit = null;
      if (CgroupFiles.value(dir.resolve("memory.events"), "oom_kill").orElse(0) > 0) {
        hit = "memory";
      } else if (CgroupFiles.value(dir.resolve("pids.events"), "max").orElse(0) > 0) {
        hit = "pids";
      }
      return new Usage(usageUs.isPresent() ? usageUs.getAsLong() / 1_000 : null,
          peak.isPresent() ? peak.getAsLong() : null, hit);
    }

    @Override
    public void close() {
      killAll();
      CgroupFiles.remove(dir);
    }
  }

  private static Set<String> words(Path file) throws IOException {
    return new TreeSet<>(Arrays.asList(CgroupFiles.read(file).trim().split("\\s+")));
  }
}
