package dev.bubblesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.MountTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cgroup v1 control's parsing of the host's layout (the host itself: CgroupV1ControlIT). */
class CgroupV1ControlTest {

  @Test
  @DisplayName("Controllers are found in /proc/self/mounts, separate or co-mounted")
  void mounts() {
    Map<String, Path> mounts = CgroupV1Control.v1Mounts(MountTable.parse(List.of(
        "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0",
        "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0",
        "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0",
        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0")));
    assertThat(mounts).containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
        .containsEntry("cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
        .containsEntry("memory", Path.of("/sys/fs/cgroup/memory"))
        .doesNotContainKey("pids");
    assertThat(CgroupV1Control.ownGroups(List.of("4:memory:/a/b", "2:cpu,cpuacct:/", "0::/")))
        .containsEntry("memory", "/a/b").containsEntry("cpu", "/").containsEntry("cpuacct", "/");
  }
}
