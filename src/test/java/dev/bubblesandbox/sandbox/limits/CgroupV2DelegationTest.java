package dev.bubblesandbox.sandbox.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.MountTable;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cgroup v2 delegation's parsing of /proc (the host's groups themselves: CgroupV2ControlIT). */
class CgroupV2DelegationTest {

  @Test
  @DisplayName("Reads the unified mount and this process's group from /proc")
  void parsesProc() {
    assertThat(CgroupV2Delegation.mountPoint(MountTable.parse(List.of(
        "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0",
        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0"))))
        .contains(Path.of("/sys/fs/cgroup/unified"));
    assertThat(CgroupV2Delegation.ownGroup(List.of("4:memory:/a", "0::/system.slice/bubble-sandbox.service")))
        .contains("/system.slice/bubble-sandbox.service");
    assertThat(CgroupV2Delegation.ownGroup(List.of("4:memory:/a"))).isEmpty();
  }

  @Test
  @DisplayName("A process outside the host's initial PID namespace is in a container")
  void container() {
    assertThat(CgroupV2Delegation.inContainer("pid:[4026531836]")).isFalse();
    assertThat(CgroupV2Delegation.inContainer("pid:[4026532451]")).isTrue();
    assertThat(CgroupV2Delegation.inContainer("")).isFalse();
  }
}
