package dev.bubblesandbox.sandbox;

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
 * Killing goes through the sandbox's PID namespace (see {@link RunningSandbox#killTree}).
 */
final class RlimitControl implements ResourceControl {

  @Override
  public String mechanism() {
    return "rlimit";
  }

  @Override
  public Set<String> enforced() {
    return Set.of("memory", "pids");
  }

  @Override
  public List<String> sandboxedPrefix(ResourceLimits limits) {
    // dash's ulimit: -v address space in KiB, -p processes; each sets the soft and hard limit.
    return List.of("/bin/sh", "-c", "ulimit -v " + Math.max(1, limits.memoryBytes() / 1024)
        + " && ulimit -p " + limits.maxTasks() + " && exec \"$@\" || exit 125", "bubble-sandbox-limits");
  }

  @Override
  public Group create(String name) {
    return ResourceControl.NONE.create(name);
  }

  @Override
  public void removeStale() { }
}
