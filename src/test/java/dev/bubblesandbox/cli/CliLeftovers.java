package dev.bubblesandbox.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a CLI process of a given pid left on the host: its private directories in /tmp and its
 * cgroup v1 groups. Both are named after the pid ({@code bubble-sandbox-<pid>.<start>-*},
 * {@code l<pid>.<start>-<n>}); the CLI starts in this JVM's own groups, under which it nests its
 * {@code bubble-sandbox} parent.
 */
final class CliLeftovers {

  private static final Set<String> CONTROLLERS = Set.of("memory", "pids", "cpu", "cpuacct", "freezer");

  private CliLeftovers() {}

  static List<Path> of(long pid) throws IOException {
    List<Path> found = new ArrayList<>();
    collect(Path.of(System.getProperty("java.io.tmpdir")), "bubble-sandbox-" + pid + ".", found);
    for (Path parent : cgroupParents()) {
      collect(parent, "l" + pid + ".", found);
    }
    return found;
  }

  private static void collect(Path dir, String prefix, List<Path> found) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, prefix + "*")) {
      entries.forEach(found::add);
    }
  }

  /** {@code <v1 mount>/<this process's group>/bubble-sandbox} for each controller the CLI uses. */
  private static List<Path> cgroupParents() throws IOException {
    Map<String, Path> mounts = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String[] fields = line.split(" ");
      if (fields.length >= 4 && fields[2].equals("cgroup")) {
        for (String option : fields[3].split(",")) {
          if (CONTROLLERS.contains(option)) {
            mounts.put(option, Path.of(fields[1]));
          }
        }
      }
    }
    List<Path> parents = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
      String[] fields = line.split(":", 3);
      if (fields.length == 3) {
        for (String controller : fields[1].split(",")) {
          if (mounts.containsKey(controller)) {
            parents.add(mounts.get(controller).resolve(fields[2].substring(1)).resolve("bubble-sandbox"));
          }
        }
      }
    }
    return parents;
  }
}
