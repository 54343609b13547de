package dev.bubblesandbox.sandbox.limits;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * How this host bounds a sandbox's memory, tasks and CPU: a group per execution, created before
 * launch, through which the whole sandbox is measured and killed.
 */
public interface ResourceControl {

  /** The names of the limits this control enforces. */
  Set<String> ALL = Set.of("memory", "pids", "cpu");

  /** {@code cgroup-v2}, {@code cgroup-v1}, {@code rlimit} or {@code none}. */
  String mechanism();

  /**
   * The strongest control this host offers: a delegated cgroup v2 subtree with the memory, pids
   * and cpu controllers (for a server only: using it moves the server's processes, see
   * {@link CgroupV2Delegation}), else writable cgroup v1 hierarchies, else rlimits.
   */
  static ResourceControl detect(boolean server) {
    Optional<ResourceControl> v2 = server ? CgroupV2Delegation.detect() : Optional.empty();
    return v2.or(CgroupV1Control::detect).orElseGet(RlimitControl::new);
  }

  /** Which of {@link #ALL} are really enforced. */
  Set<String> enforced();

  /** Which of {@link #ALL} are not enforced, in name order (for messages). */
  default SortedSet<String> unenforced() {
    SortedSet<String> missing = new TreeSet<>(ALL);
    missing.removeAll(enforced());
    return Collections.unmodifiableSortedSet(missing);
  }

  /** Creates an empty group, with no limits yet, for one launch. */
  Group create(String name);

  /**
   * Words to run the sandboxed command under, inside the sandbox (rlimits that must be set
   * within its user namespace), or none.
   */
  default List<String> sandboxedPrefix(ResourceLimits limits) {
    return List.of();
  }

  /** Removes groups a crashed earlier run left behind, killing what still runs in them. */
  void removeStale();

  /** One execution's group. */
  interface Group extends AutoCloseable {

    /** Files the launcher writes its own pid into before it execs bwrap. */
    List<String> procsFiles();

    /** Sets the execution's limits. */
    void limit(ResourceLimits limits);

    /** Kills every process in the group, forked or not. */
    void killAll();

    /** What the group measured, and which of its limits was hit. */
    Usage usage();

    /** The CPU time its processes used so far, null where not measured (cgroups read one file). */
    default Long cpuTimeMs() {
      return usage().cpuTimeMs();
    }

    /** The most memory it has held so far, null where not measured (cgroups read one file). */
    default Long memoryPeakBytes() {
      return usage().memoryPeakBytes();
    }

    /** The memory it holds now, null where not measured (a long-lived kernel's group). */
    default Long memoryBytes() {
      return null;
    }

    /** Kills what is left in the group ({@link #killAll}) and removes it. */
    @Override
    void close();
  }

  /**
   * Measurements of a finished execution; null where not measurable.
   *
   * @param limitHit {@code memory} or {@code pids} when that limit was reached
   */
  record Usage(Long cpuTimeMs, Long memoryPeakBytes, String limitHit) {
    public static final Usage NONE = new Usage(null, null, null);
  }

  /** No control: nothing enforced, nothing measured. */
  ResourceControl NONE = new ResourceControl() {
    @Override
    public String mechanism() {
      return "none";
    }

    @Override
    public Set<String> enforced() {
      return Set.of();
    }

    @Override
    public Group create(String name) {
      return new Group() {
        @Override
        public List<String> procsFiles() {
          return List.of();
        }

        @Override
        public void limit(ResourceLimits limits) { }

        @Override
        public void killAll() { }

        @Override
        public Usage usage() {
          return Usage.NONE;
        }

        @Override
        public void close() { }
      };
    }

    @Override
    public void removeStale() { }
  };
}
