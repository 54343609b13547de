package dev.bubblesandbox.sandbox;

import java.util.Optional;

/** Chooses how this host bounds sandboxes. */
final class ResourceControls {

  private ResourceControls() {}

  /**
   * The strongest control this host offers: a delegated cgroup v2 subtree with the memory, pids
   * and cpu controllers (for a server only: using it moves the server's processes, see
   * {@link CgroupV2Delegation}), else writable cgroup v1 hierarchies, else rlimits.
   */
  static ResourceControl detect(boolean server) {
    Optional<ResourceControl> v2 = server ? CgroupV2Delegation.detect() : Optional.empty();
    return v2.or(CgroupV1Control::detect).orElseGet(RlimitControl::new);
  }
}
