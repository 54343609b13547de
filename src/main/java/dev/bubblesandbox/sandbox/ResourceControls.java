package dev.bubblesandbox.sandbox;

/** Chooses how this host bounds sandboxes. */
final class ResourceControls {

  private ResourceControls() {}

  /**
   * The strongest control this host offers: a delegated cgroup v2 subtree with the memory, pids
   * and cpu controllers, else writable cgroup v1 hierarchies, else rlimits.
   */
  static ResourceControl detect() {
    return CgroupV2Control.detect()
        .or(CgroupV1Control::detect)
        .orElseGet(RlimitControl::new);
  }
}
