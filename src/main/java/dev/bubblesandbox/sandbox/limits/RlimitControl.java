package dev.bubblesandbox.sandbox.limits;

import java.util.List;
import java.util.Set;

/**
 * The last resort where no cgroup can be made: rlimits set by a shell inside the sandbox just
 * before it execs the command. Inside, because RLIMIT_NPROC counts the processes of a user in a
 * user namespace: set outside, it would count every sandbox of the sandbox uid at once (and fail
 * the uid switch's exec once they pass it); inside, each sandbox's own namespace counts alone.
 * Weaker than a group, and said so in what it reports:
 * <ul>
 *   <li>memory bounds each process's address space (RLIMIT_AS), not the sandbox's sum;
 *   <li>tasks are bounded per sandbox, bwrap's init and the shell included;
 *   <li>CPU share has no rlimit: not enforced; nothing is measured, and a limit that was hit
 *       shows only as the script's own error (MemoryError, EAGAIN from fork).
 * </ul>
 * Killing goes through the sandbox's PID namespace (see
 * {@link dev.bubblesandbox.sandbox.SandboxExecution#killTree}).
 */
final class RlimitControl implements ResourceControl {

  /** Whether RLIMIT_NPROC is counted per user namespace here (Linux 5.14 and later). */
  private final boolean perNamespaceTasks;

  RlimitControl() {
    this(System.getProperty("os.version"));
  }

  /** @param kernelRelease as {@code uname -r} prints it */
  RlimitControl(String kernelRelease) {
    this.perNamespaceTasks = atLeast(kernelRelease, 5, 14);
  }

  static boolean atLeast(String kernelRelease, int major, int minor) {
    String[] parts = kernelRelease.split("[.-]");
    try {
      int releaseMajor = Integer.parseInt(parts[0]);
      int releaseMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return releaseMajor > major || (releaseMajor == major && releaseMinor >= minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  @Override
  public String mechanism() {
    return "rlimit";
  }

  /** Tasks only where each sandbox's user namespace counts its own (see above). */
  @Override
  public Set<String> enforced() {
    return perNamespaceTasks ? Set.of("memory", "pids") : Set.of("memory");
  }

  @Override
  public List<String> sandboxedPrefix(ResourceLimits limits) {
    // Address space in KiB; processes are -p in dash and -u in bash (where -p is the pipe size).
    // Each sets the soft and the hard limit.
    String tasks = perNamespaceTasks
        ? " && { ulimit -p " + limits.maxTasks() + " 2>/dev/null || ulimit -u " + limits.maxTasks() + "; }"
        : "";
    return List.of("/bin/sh", "-c", "ulimit -v " + Math.max(1, limits.memoryBytes() / 1024)
        + tasks + " && exec \"$@\" || exit 125", "bubble-sandbox-limits");
  }

  @Override
  public Group create(String name) {
    return ResourceControl.NONE.create(name);
  }

  @Override
  public void removeStale() { }
}
