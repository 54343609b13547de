package dev.bubblesandbox.sandbox.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * This process's own group, from /proc/self/cgroup and /proc/self/mountinfo, in the layouts of
 * containers and pods: never the root of a hierarchy that shows more than the process's group.
 */
class CgroupMountsTest {

  private static final String V2_ROOT = "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate";

  @Test
  @DisplayName("A pod with its own cgroup namespace: the namespace's root is the pod's group")
  void ownNamespace() {
    assertThat(CgroupMounts.v2Group(CgroupMounts.parse(List.of(V2_ROOT)), List.of("0::/")))
        .contains(Path.of("/sys/fs/cgroup"));
  }

  @Test
  @DisplayName("A privileged pod sharing the host's cgroup namespace: its own group below the host's root, not the root")
  void hostNamespace() {
    String group = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-abc.scope";
    assertThat(CgroupMounts.v2Group(CgroupMounts.parse(List.of(V2_ROOT)), List.of("0::" + group)))
        .contains(Path.of("/sys/fs/cgroup" + group));
  }

  @Test
  @DisplayName("The host's hierarchy seen from inside a cgroup namespace shows no group of ours: refused, not its root")
  void hostHierarchyInNamespace() {
    List<CgroupMounts.Mount> mounts = CgroupMounts.parse(List.of(
        "812 790 0:26 /../../.. /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw"));
    assertThat(mounts).singleElement().extracting(CgroupMounts.Mount::root).isEqualTo("/../../..");
    assertThat(CgroupMounts.v2Group(mounts, List.of("0::/"))).isEmpty();
    assertThat(CgroupMounts.v2Group(CgroupMounts.parse(List.of(V2_ROOT)), List.of("0::/../sibling"))).isEmpty();
  }

  @Test
  @DisplayName("cgroup v1 under runc: only the container's group is mounted, so the group is the mount point")
  void boundContainerGroup() {
    List<CgroupMounts.Mount> mounts = CgroupMounts.parse(List.of(
        "1210 1205 0:32 /kubepods/burstable/pod1/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory",
        "1211 1205 0:36 /kubepods/burstable/pod1/abc /sys/fs/cgroup/pids ro,nosuid - cgroup cgroup rw,pids"));
    List<String> cgroup = List.of("8:pids:/kubepods/burstable/pod1/abc", "4:memory:/kubepods/burstable/pod1/abc/server");
    assertThat(CgroupMounts.v1Groups(mounts, cgroup, List.of("memory", "pids"))).hasValueSatisfying(dirs ->
        assertThat(dirs).containsEntry("pids", Path.of("/sys/fs/cgroup/pids"))
            .containsEntry("memory", Path.of("/sys/fs/cgroup/memory/server")));
    assertThat(CgroupMounts.v1Groups(mounts, List.of("8:pids:/kubepods/other", "4:memory:/kubepods/burstable/pod1/abc"),
        List.of("memory", "pids"))).isEmpty();
    assertThat(CgroupMounts.v1Groups(mounts, List.of("8:pids:/kubepods/burstable/pod1/abcd", "4:memory:/"),
        List.of("pids"))).isEmpty();
  }

  @Test
  @DisplayName("Escaped mount points, optional fields, and lines of other file systems")
  void parsing() {
    List<CgroupMounts.Mount> mounts = CgroupMounts.parse(List.of(
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
        "40 31 0:38 / /sys/fs/cgroup/my\\040tree rw,relatime shared:9 master:2 - cgroup2 cgroup2 rw",
        "short line"));
    assertThat(mounts).containsExactly(
        new CgroupMounts.Mount("/", Path.of("/sys/fs/cgroup/my tree"), "cgroup2", List.of("rw")));
  }
}
