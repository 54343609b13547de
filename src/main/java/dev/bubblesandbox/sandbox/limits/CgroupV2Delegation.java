package dev.bubblesandbox.sandbox.limits;

import dev.bubblesandbox.MountTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the unified (v2) group this process was given (a systemd unit with {@code Delegate=yes},
 * a container's cgroup namespace) and reorganizes it for per-sandbox groups. v2 lets no group
 * hold processes and hand controllers to children at once, so at start-up this process and its
 * companions move into a {@code server} leaf beside the {@code bubble-sandbox} parent of the
 * execution groups, which {@link CgroupV2Control} then makes and limits.
 */
public final class CgroupV2Delegation {

  static final String PARENT = "bubble-sandbox";

  private CgroupV2Delegation() {}

  /**
   * The control when this process's v2 group is writable here and offers every controller,
   * else empty. Moves this process into a leaf of its group on the way (see above).
   */
  static Optional<ResourceControl> detect() {
    try {
      Optional<Path> base = delegatedGroup();
      return base.isPresent() ? Optional.of(prepare(base.get(), ResourceControl.ALL)) : Optional.empty();
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
   * a group marked {@code user.delegate} (systemd's user manager), or the group of a container
   * that shares the host's cgroup namespace (a privileged pod): a process in a PID namespace of
   * its own is in a container, and the runtime made its group for that container alone. The
   * group is always this process's own (see {@link CgroupMounts}), never the root above it.
   */
  public static Optional<Path> delegatedGroup() {
    try {
      List<String> cgroupLines = Files.readAllLines(Path.of("/proc/self/cgroup"));
      Optional<String> own = ownGroup(cgroupLines);
      Optional<Path> group = CgroupMounts.v2Group(CgroupMounts.read(), cgroupLines);
      if (own.isEmpty() || group.isEmpty()) {
        return Optional.empty();
      }
      Path base = group.get();
      Path above = base.getParent();
      if (base.endsWith("server") && above != null && usable(above) && CgroupFiles.pids(above).isEmpty()) {
        return Optional.of(above);
      }
      boolean handedOver = own.get().equals("/") || delegateMark(base)
          || inContainer(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString());
      return handedOver && usable(base) ? Optional.of(base) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether a process whose {@code /proc/self/ns/pid} link reads {@code pidNamespace} runs in a
   * container: outside the host's initial PID namespace, whose inode the kernel fixes
   * (PROC_PID_INIT_INO, 0xEFFFFFFC).
   */
  static boolean inContainer(String pidNamespace) {
    return pidNamespace.startsWith("pid:[") && !pidNamespace.equals("pid:[4026531836]");
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
    return words(group.resolve("cgroup.controllers")).containsAll(ResourceControl.ALL)
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
  static Optional<Path> mountPoint(List<MountTable.Mount> mounts) {
    return mounts.stream().filter(mount -> mount.type().equals("cgroup2"))
        .map(MountTable.Mount::mountPoint).findFirst();
  }

  /** This process's v2 group, the {@code 0::} line of /proc/self/cgroup. */
  static Optional<String> ownGroup(List<String> cgroupLines) {
    return cgroupLines.stream().filter(line -> line.startsWith("0::"))
        .map(line -> line.substring(3)).findFirst();
  }

  private static Set<String> words(Path file) throws IOException {
    return new TreeSet<>(Arrays.asList(CgroupFiles.read(file).trim().split("\\s+")));
  }
}
