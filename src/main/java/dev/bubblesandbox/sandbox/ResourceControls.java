package dev.bubblesandbox.sandbox;

/** Chooses how this host bounds sandboxes. */
final class ResourceControls {

  private ResourceControls() {}

  /** The best control this host offers: cgroup v1, or none. */
  static ResourceControl detect() {
    return CgroupV1Control.detect().orElse(ResourceControl.NONE);
  }
}
