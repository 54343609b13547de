package dev.bubblesandbox.sandbox.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bubblesandbox.MountTable;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.SandboxExecution;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.Sandboxes;
import dev.bubblesandbox.sandbox.TemporaryWorkDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cgroup v2 control on the host's real unified hierarchy. On these hosts (as on CI) the
 * memory, pids and cpu controllers are bound to v1, so v2 groups here carry no limits; what is
 * tested is everything else v2 does: the layout made at start-up, the launcher joining the
 * execution's group, cpu.stat measuring it, cgroup.kill ending it, stale groups removed.
 */
class CgroupV2ControlIT {

  private static Path base;
  private static CgroupV2Control control;
  private static SandboxRunner runner;

  @BeforeAll
  static void prepare() throws Exception {
    Path mount = CgroupV2Delegation.mountPoint(MountTable.read()).orElseThrow();
    base = Files.createDirectory(mount.resolve("bubble-sandbox-test-" + ProcessHandle.current().pid()));
    control = CgroupV2Delegation.prepare(base, Set.of());
    runner = SandboxRunner.create(Sandboxes.USER, control, true);
  }

  @AfterAll
  static void remove() throws Exception {
    control.removeStale();
    Files.delete(base.resolve(CgroupV2Delegation.PARENT));
    Files.delete(base.resolve("server"));
    Files.delete(base);
  }

  @Test
  @DisplayName("Start-up moves the processes of a delegated group into a leaf, so it can hand controllers on")
  void delegationMovesProcessesToALeaf() throws Exception {
    // hugetlb is the one controller this host leaves to v2: it stands in for memory, pids and cpu.
    Path root = base.getParent();
    boolean enabledHere = !Files.readString(root.resolve("cgroup.subtree_control")).contains("hugetlb");
    Path delegated = Files.createDirectory(root.resolve("bubble-sandbox-test-delegated-" + ProcessHandle.current().pid()));
    Process companion = null;
    try {
      if (enabledHere) {
        Files.writeString(root.resolve("cgroup.subtree_control"), "+hugetlb");
      }
      companion = new ProcessBuilder("/bin/sh", "-c",
          "echo $$ > " + delegated.resolve("cgroup.procs") + "; exec sleep 4345").start();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
          .until(() -> !Files.readString(delegated.resolve("cgroup.procs")).isBlank());
      CgroupV2Control prepared = CgroupV2Delegation.prepare(delegated, Set.of("hugetlb"));
      assertThat(Files.readString(delegated.resolve("cgroup.procs"))).isBlank();
      assertThat(Files.readString(delegated.resolve("server/cgroup.procs")).trim())
          .isEqualTo(Long.toString(companion.pid()));
      assertThat(Files.readString(delegated.resolve(CgroupV2Delegation.PARENT + "/cgroup.subtree_control")))
          .contains("hugetlb");
      ResourceControl.Group group = prepared.create("probe");
      assertThat(Path.of(group.procsFiles().get(0)).resolveSibling("cgroup.controllers")).content().contains("hugetlb");
      group.close();
    } finally {
      if (companion != null) {
        companion.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      Files.writeString(delegated.resolve(CgroupV2Delegation.PARENT + "/cgroup.subtree_control"), "-hugetlb");
      Files.delete(delegated.resolve(CgroupV2Delegation.PARENT));
      Files.delete(delegated.resolve("server"));
      Files.writeString(delegated.resolve("cgroup.subtree_control"), "-hugetlb");
      Files.delete(delegated);
      if (enabledHere) {
        Files.writeString(root.resolve("cgroup.subtree_control"), "-hugetlb");
      }
    }
  }

  @Test
  @DisplayName("Start-up makes a server leaf beside the parent of execution groups")
  void layout() {
    assertThat(base.resolve("server")).isDirectory();
    assertThat(base.resolve(CgroupV2Delegation.PARENT)).isDirectory();
    assertThat(control.mechanism()).isEqualTo("cgroup-v2");
  }

  @Test
  @DisplayName("A sandbox runs inside its group, its CPU time is measured, and the group is gone after")
  void runsInItsGroupAndIsMeasured() throws Exception {
    CountDownLatch ready = new CountDownLatch(1);
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      SandboxExecution sandbox = runner.start(Sandboxes.python(work.path(), List.of(), Sandboxes.LIMITS,
          "import time\n"
              + "print('ready', flush=True)\n"
              + "input()\n"
              + "end = time.process_time() + 0.3\n"
              + "while time.process_time() < end:\n"
              + "    pass\n"), (stream, text) -> ready.countDown());
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      List<Path> groups = executionGroups();
      assertThat(groups).hasSize(1);
      // bwrap, its init and Python: all in the execution's group.
      assertThat(Files.readAllLines(groups.get(0).resolve("cgroup.procs"))).hasSizeGreaterThanOrEqualTo(2);
      sandbox.writeStdin("go\n".getBytes(StandardCharsets.UTF_8));
      sandbox.closeStdin();
      ExecutionResult result = sandbox.await();
      assertThat(result.stderr()).isEmpty();
      assertThat(result.cpuTimeMs()).isBetween(250L, 5_000L);
    }
    awaitExecutionGroupsRemoved();
  }

  @Test
  @DisplayName("cgroup.kill ends a SIGTERM-ignoring, double-forked process when the script returns")
  void killThroughTheGroup() throws Exception {
    String seconds = Sandboxes.uniqueSleepSeconds();
    ExecutionResult result = Sandboxes.run(runner, "import os, signal, subprocess\n"
        + "if os.fork() == 0:\n"
        + "    os.setsid()\n"
        + "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        + "    if os.fork() == 0:\n"
        + "        subprocess.run(['sleep', '" + seconds + "'])\n"
        + "    os._exit(0)\n"
        + "print('parent done')\n");
    assertThat(result.stdout()).isEqualTo("parent done\n");
    assertThat(Sandboxes.survivors(java.time.Duration.ofSeconds(2), "sleep", seconds)).isEmpty();
    awaitExecutionGroupsRemoved();
  }

  @Test
  @DisplayName("Without cgroup.kill (before Linux 5.14) the group is frozen, killed task by task, thawed")
  void killWithoutKillFile() throws Exception {
    ResourceControl.Group group =
        new CgroupV2Control(base.resolve(CgroupV2Delegation.PARENT), Set.of(), false).create("no-kill-file");
    String procs = group.procsFiles().get(0);
    // Host processes, no sandbox: only the group can end them. The shell forks a second one.
    Process forker = new ProcessBuilder("/bin/sh", "-c",
        "echo $$ > " + procs + "; sleep 4346 & exec sleep 4347").start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .untilAsserted(() -> assertThat(Files.readAllLines(Path.of(procs))).hasSize(2));
    List<String> members = Files.readAllLines(Path.of(procs));
    group.killAll();
    assertThat(forker.waitFor(10, TimeUnit.SECONDS)).isTrue();
    for (String pid : members) {
      ProcessHandle.of(Long.parseLong(pid)).ifPresent(handle ->
          assertThat(handle.onExit().orTimeout(10, TimeUnit.SECONDS).join().isAlive()).isFalse());
    }
    assertThat(Path.of(procs).resolveSibling("cgroup.freeze")).content().isEqualToIgnoringWhitespace("0");
    group.close();
    assertThat(Path.of(procs).getParent()).doesNotExist();
  }

  @Test
  @DisplayName("Stale groups of a crashed run are emptied and removed")
  void staleGroupsRemoved() throws Exception {
    ResourceControl.Group group = control.create("stale-group");
    String procs = group.procsFiles().get(0);
    Process orphan = new ProcessBuilder("/bin/sh", "-c", "echo $$ > " + procs + "; exec sleep 4344").start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .until(() -> !Files.readString(Path.of(procs)).isBlank());
    assertThat(Files.readString(Path.of(procs)).trim()).isEqualTo(Long.toString(orphan.pid()));
    control.removeStale();
    assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(Path.of(procs).getParent()).doesNotExist();
  }

  /** Waits until no execution group is left: a group is removed just after its result is out. */
  private static void awaitExecutionGroupsRemoved() {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .untilAsserted(() -> assertThat(executionGroups()).isEmpty());
  }

  private static List<Path> executionGroups() throws Exception {
    try (var children = Files.list(base.resolve(CgroupV2Delegation.PARENT))) {
      return children.filter(Files::isDirectory).toList();
    }
  }
}
