package dev.bubblesandbox.sandbox.limits;

/**
 * Per-sandbox resource bounds, enforced by the host's {@link ResourceControl}.
 *
 * @param memoryBytes memory of all the sandbox's processes, tmpfs pages included
 * @param maxTasks processes and threads
 * @param cpus CPU time per wall-clock time, 1.0 being one core
 */
public record ResourceLimits(long memoryBytes, int maxTasks, double cpus) {

  /** The defaults of SPEC §6 style settings: 512 MiB, 128 tasks, one CPU. */
  public static final ResourceLimits DEFAULT = new ResourceLimits(512L << 20, 128, 1.0);

  public ResourceLimits {
    if (memoryBytes <= 0 || maxTasks <= 0 || !(cpus > 0)) {
      throw new IllegalArgumentException("resource limits must be positive");
    }
  }

  /** These limits, each lowered to {@code other}'s where that is lower. */
  public ResourceLimits atMost(ResourceLimits other) {
    return new ResourceLimits(Math.min(memoryBytes, other.memoryBytes),
        Math.min(maxTasks, other.maxTasks), Math.min(cpus, other.cpus));
  }
}
