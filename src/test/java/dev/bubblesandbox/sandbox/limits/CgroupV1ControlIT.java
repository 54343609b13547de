package dev.bubblesandbox.sandbox.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cgroup v1 control on this host: groups that come and go, stale ones removed (its parsing:
 * CgroupV1ControlTest).
 */
class CgroupV1ControlIT {

  @Test
  @DisplayName("This host (as CI's) enforces every limit with cgroup v1")
  void hostEnforcesLimits() {
    assertThat(Sandboxes.RUNNER.resources().mechanism()).isEqualTo("cgroup-v1");
    assertThat(Sandboxes.RUNNER.resources().enforced()).containsExactlyInAnyOrderElementsOf(ResourceControl.ALL);
  }

  @Test
  @DisplayName("An execution's groups are gone once it returns")
  void groupsRemoved() throws Exception {
    ResourceControl.Group group = Sandboxes.RUNNER.resources().create("probe-group-" + System.nanoTime());
    group.limit(ResourceLimits.DEFAULT);
    List<Path> dirs = group.procsFiles().stream().map(file -> Path.of(file).getParent()).toList();
    assertThat(dirs).allMatch(Files::isDirectory);
    assertThat(Files.readString(dirs.stream().filter(d -> d.toString().contains("memory")).findFirst().orElseThrow()
        .resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(512L << 20));
    group.close();
    assertThat(dirs).noneMatch(Files::exists);

    ExecutionResult result = Sandboxes.runPython("print(1)");
    assertThat(result.cpuTimeMs()).isNotNull();
    assertThat(result.memoryPeakBytes()).isPositive();
  }

  @Test
  @DisplayName("killAll empties a group whose processes keep forking, with no pid namespace to end them")
  void killAllEndsForkingGroup() throws Exception {
    ResourceControl.Group group = Sandboxes.RUNNER.resources().create("forking-group-" + System.nanoTime());
    try {
      group.limit(ResourceLimits.DEFAULT);
      String join = String.join("; ", group.procsFiles().stream().map(file -> "echo $$ > " + file).toList());
      Process forker = new ProcessBuilder("/bin/sh", "-c", join + "; while :; do sleep 4242 & done").start();
      Path freezerProcs = group.procsFiles().stream().map(Path::of)
          .filter(file -> file.toString().contains("freezer")).findFirst().orElseThrow();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
          assertThat(Files.readAllLines(freezerProcs)).as("the forker and its children").hasSizeGreaterThanOrEqualTo(20));

      group.killAll();

      assertThat(Files.readString(freezerProcs)).as("tasks left in the group").isBlank();
      assertThat(forker.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      group.close();
    }
  }

  @Test
  @DisplayName("Stale groups of a crashed run are emptied and removed at start-up")
  void staleGroupsRemoved() throws Exception {
    ResourceControl control = Sandboxes.RUNNER.resources();
    ResourceControl.Group group = control.create("stale-group-" + System.nanoTime());
    String join = String.join("; ", group.procsFiles().stream().map(file -> "echo $$ > " + file).toList());
    Process orphan = new ProcessBuilder("/bin/sh", "-c", join + "; exec sleep 4343").start();
    Path lastJoined = Path.of(group.procsFiles().get(group.procsFiles().size() - 1));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .until(() -> !Files.readString(lastJoined).isBlank());
    ResourceControl.Group live = control.create(RunOwner.GROUP_PREFIX + RunOwner.TOKEN + "-live");
    control.removeStale();
    assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(Path.of(group.procsFiles().get(0)).getParent()).doesNotExist();
    // A live run's groups (here this one's) are not stale.
    assertThat(Path.of(live.procsFiles().get(0)).getParent()).isDirectory();
    live.close();
  }
}
