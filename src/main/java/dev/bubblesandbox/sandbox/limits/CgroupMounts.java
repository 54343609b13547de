package dev.bubblesandbox.sandbox.limits;

import dev.bubblesandbox.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where this process's own cgroups are in the file system. {@code /proc/self/cgroup} names a
 * group by its path from the root of this process's cgroup namespace; a cgroup mount shows one
 * group of its hierarchy and everything below it (the mount's root: the fourth field of
 * {@code /proc/self/mountinfo}, which {@code /proc/self/mounts} lacks). The group's directory is
 * the mount point plus the group's path below the mount's root.
 *
 * <p>A mount whose root is neither the group nor above it does not show the group, and is never
 * used: a runtime that bind-mounts only a container's group (cgroup v1 under runc) has a root
 * such as {@code /kubepods/pod1/abc}, and the host's whole hierarchy seen from inside a cgroup
 * namespace has a root of {@code /../..}; joining the group's path to either mount point would
 * name another group, in the second case the host's root, which a server must never reorganize
 * or fill with groups (a privileged pod sharing the host's cgroup namespace, or handed the
 * host's {@code /sys/fs/cgroup}).
 */
final class CgroupMounts {

  /** One cgroup mount: the group it shows, where, {@code cgroup} or {@code cgroup2}, and its super options. */
  record Mount(String root, Path mountPoint, String type, List<String> options) {}

  private CgroupMounts() {}

  /** This process's cgroup mounts, from /proc/self/mountinfo. */
  static List<Mount> read() throws IOException {
    return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
  }

  /**
   * The cgroup mounts among lines of /proc/self/mountinfo: {@code ID PARENT MAJ:MIN ROOT POINT
   * OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS}.
   */
  static List<Mount> parse(List<String> mountinfoLines) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : mountinfoLines) {
      List<String> fields = Arrays.asList(line.split(" "));
      int separator = fields.indexOf("-");
      if (separator < 6 || fields.size() < separator + 4) {
        continue;
      }
      String type = fields.get(separator + 1);
      if (type.equals("cgroup") || type.equals("cgroup2")) {
        mounts.add(new Mount(MountTable.unescape(fields.get(3)), Path.of(MountTable.unescape(fields.get(4))), type,
            List.of(fields.get(separator + 3).split(","))));
      }
    }
    return mounts;
  }

  /** The directory of this process's v2 group (the {@code 0::} line of /proc/self/cgroup), if a mount shows it. */
  static Optional<Path> v2Group(List<Mount> mounts, List<String> cgroupLines) {
    return CgroupV2Delegation.ownGroup(cgroupLines)
        .flatMap(group -> groupDir(mounts, mount -> mount.type().equals("cgroup2"), group));
  }

  /** The directories of this process's v1 groups, one per controller, or empty unless mounts show every one. */
  static Optional<Map<String, Path>> v1Groups(List<Mount> mounts, List<String> cgroupLines, List<String> controllers) {
    Map<String, String> own = ownGroups(cgroupLines);
    Map<String, Path> dirs = new LinkedHashMap<>();
    for (String controller : controllers) {
      Optional<Path> dir = Optional.ofNullable(own.get(controller)).flatMap(group -> groupDir(mounts,
          mount -> mount.type().equals("cgroup") && mount.options().contains(controller), group));
      if (dir.isEmpty()) {
        return Optional.empty();
      }
      dirs.put(controller, dir.get());
    }
    return Optional.of(dirs);
  }

  /** This process's group path by controller, from /proc/self/cgroup. */
  static Map<String, String> ownGroups(List<String> cgroupLines) {
    Map<String, String> groups = new LinkedHashMap<>();
    for (String line : cgroupLines) {
      String[] fields = line.split(":", 3);
      if (fields.length == 3) {
        for (String controller : fields[1].split(",")) {
          groups.put(controller, fields[2]);
        }
      }
    }
    return groups;
  }

  /** The directory of {@code group} in the first mount of a hierarchy that shows it. */
  static Optional<Path> groupDir(List<Mount> mounts, Predicate<Mount> hierarchy, String group) {
    if (!group.startsWith("/") || Arrays.asList(group.split("/")).contains("..")) {
      return Optional.empty();   // a group outside this process's cgroup namespace
    }
    for (Mount mount : mounts) {
      if (hierarchy.test(mount)) {
        Optional<String> below = below(mount.root(), group);
        if (below.isPresent()) {
          return Optional.of(mount.mountPoint().resolve(below.get()));
        }
      }
    }
    return Optional.empty();
  }

  /** {@code group}'s path relative to a mount's root, if the mount shows it. */
  private static Optional<String> below(String root, String group) {
    if (root.equals("/")) {
      return Optional.of(group.substring(1));
    }
    if (group.equals(root)) {
      return Optional.of("");
    }
    return group.startsWith(root + "/") ? Optional.of(group.substring(root.length() + 1)) : Optional.empty();
  }
}
