package dev.bubblesandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one parser of /proc/self/mounts, and the one place that reads this process's uid. */
class MountTableTest {

  @Test
  @DisplayName("Parses source, mount point, type and options; skips short lines")
  void parsesFields() {
    List<MountTable.Mount> mounts = MountTable.parse(List.of(
        "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0",
        "truncated /x",
        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0"));
    assertThat(mounts).containsExactly(
        new MountTable.Mount("cgroup", Path.of("/sys/fs/cgroup/cpu,cpuacct"), "cgroup",
            List.of("rw", "nosuid", "cpu", "cpuacct")),
        new MountTable.Mount("cgroup2", Path.of("/sys/fs/cgroup/unified"), "cgroup2", List.of("rw", "relatime")));
  }

  @Test
  @DisplayName("Octal escapes (\\040 space, \\011 tab, \\012 newline, \\134 backslash) are decoded")
  void decodesEscapes() {
    List<MountTable.Mount> mounts = MountTable.parse(List.of(
        "/dev/loop3 /srv/work\\040space/s\\011t\\012n\\134b ext4 rw,nosuid,nodev 0 0"));
    assertThat(mounts).singleElement().satisfies(mount -> {
      assertThat(mount.source()).isEqualTo("/dev/loop3");
      assertThat(mount.mountPoint()).isEqualTo(Path.of("/srv/work space/s\tt\nn\\b"));
      assertThat(mount.type()).isEqualTo("ext4");
    });
    // a backslash not followed by three octal digits is kept as it is
    assertThat(MountTable.unescape("a\\09b\\04")).isEqualTo("a\\09b\\04");
  }

  @Test
  @DisplayName("This host's table lists the root file system")
  void readsThisHost() throws Exception {
    assertThat(MountTable.read()).extracting(MountTable.Mount::mountPoint).contains(Path.of("/"));
  }

  @Test
  @DisplayName("The current uid is the owner of what this process creates")
  void currentUid(@TempDir Path dir) throws Exception {
    Path file = Files.createFile(dir.resolve("mine"));
    assertThat(HostFiles.currentUid()).isEqualTo(Files.getAttribute(file, "unix:uid"));
  }
}
