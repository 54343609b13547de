package dev.bubblesandbox.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Python processes in the sandbox groups of one server process, found on the host: the
 * groups named {@code l<pid>.<start>-<n>} in any cgroup hierarchy, and the processes their
 * {@code cgroup.procs} list. With warm sandboxes off, the only Pythons in them are kernels.
 */
final class KernelProcesses {

  private KernelProcesses() {}

  /** The sandbox groups of server {@code pid}, by name (one group is in several hierarchies under cgroup v1). */
  static Set<String> groups(long pid) {
    List<Path> found = new ArrayList<>();
    collect(Path.of("/sys/fs/cgroup"), "l" + pid + ".", 7, found);
    Set<String> names = new TreeSet<>();
    found.forEach(group -> names.add(group.getFileName().toString()));
    return names;
  }

  /** The pids of the Python processes in server {@code pid}'s sandbox groups. */
  static Set<Long> pythons(long pid) {
    List<Path> found = new ArrayList<>();
    collect(Path.of("/sys/fs/cgroup"), "l" + pid + ".", 7, found);
    Set<Long> pythons = new TreeSet<>();
    for (Path group : found) {
      try {
        for (String line : Files.readAllLines(group.resolve("cgroup.procs"))) {
          if (!line.isBlank() && commandLine(Long.parseLong(line.strip())).contains("python")) {
            pythons.add(Long.parseLong(line.strip()));
          }
        }
      } catch (IOException | RuntimeException e) {
        // the group went meanwhile
      }
    }
    return pythons;
  }

  /** Whether any of {@code pids} still runs. */
  static boolean anyAlive(Set<Long> pids) {
    return pids.stream().anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  private static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Walks directories only; other runs' groups come and go meanwhile, and are skipped. */
  private static void collect(Path directory, String prefix, int depth, List<Path> found) {
    if (depth == 0) {
      return;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(directory, Files::isDirectory)) {
      for (Path child : children) {
        if (child.getFileName().toString().startsWith(prefix)) {
          found.add(child);
        } else {
          collect(child, prefix, depth - 1, found);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone meanwhile, or not readable: not ours
    }
  }
}
