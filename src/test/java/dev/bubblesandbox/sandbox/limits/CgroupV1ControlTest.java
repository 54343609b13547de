package dev.bubblesandbox.sandbox.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cgroup v1 control's parsing of the host's layout (the host itself: CgroupV1ControlIT). */
class CgroupV1ControlTest {

  @Test
  @DisplayName("Controllers are found in /proc/self/mountinfo, separate or co-mounted, each at this process's group")
  void mounts() {
    List<CgroupMounts.Mount> mounts = CgroupMounts.parse(List.of(
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct",
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw"));
    List<String> cgroup = List.of("4:memory:/a/b", "2:cpu,cpuacct:/", "0::/");
    assertThat(CgroupMounts.v1Groups(mounts, cgroup, List.of("cpu", "cpuacct", "memory"))).hasValueSatisfying(dirs ->
        assertThat(dirs).containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
            .containsEntry("cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
            .containsEntry("memory", Path.of("/sys/fs/cgroup/memory/a/b")));
    assertThat(CgroupMounts.v1Groups(mounts, cgroup, List.of("memory", "pids"))).isEmpty();
    assertThat(CgroupMounts.ownGroups(cgroup))
        .containsEntry("memory", "/a/b").containsEntry("cpu", "/").containsEntry("cpuacct", "/");
  }
}
