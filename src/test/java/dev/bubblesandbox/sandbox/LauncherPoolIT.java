package dev.bubblesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.limits.RunOwner;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Launches made ready ahead: they run what they are given, and leave nothing once closed. */
class LauncherPoolIT {

  @Test
  @DisplayName("The command reaches bwrap word for word: quotes, $(...), backticks and newlines stay text")
  void commandIsNotReinterpreted() throws Exception {
    String script = "import sys\n"
        + "print('it''s', \"$(touch /tmp/pwned)\", '`id`', '\\\\', sys.argv[1:])\n"
        + "print(\"'\\\"';\\nexit 3\")";
    ExecutionResult result = Sandboxes.runPython(script);
    assertThat(result.stderr()).isEmpty();
    assertThat(result.stdout()).isEqualTo("its $(touch /tmp/pwned) `id` \\ []\n'\"';\nexit 3\n");
    assertThat(result.returnCode()).isZero();
  }

  @Test
  @DisplayName("A pooled launch runs with its limits and stdin, and its group is gone after")
  void pooledLaunchRuns() throws Exception {
    try (LauncherPool pool = Sandboxes.RUNNER.pool(2);
        TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      for (int i = 0; i < 4; i++) {
        SandboxExecution sandbox = pool.start(Sandboxes.python(work.path(), List.of(),
            Sandboxes.LIMITS, "import os; print(input(), len(os.listdir('/proc')) > 0)"), OutputListener.NONE);
        sandbox.writeStdin(("line " + i + "\n").getBytes());
        sandbox.closeStdin();
        ExecutionResult result = sandbox.await();
        assertThat(result.stdout()).isEqualTo("line " + i + " True\n");
        assertThat(result.memoryPeakBytes()).isPositive();
      }
    }
  }

  @Test
  @DisplayName("A ready launch whose shell was killed is passed over, not handed a request")
  void deadLaunchSkipped() throws Exception {
    try (LauncherPool pool = Sandboxes.RUNNER.pool(1);
        TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      List<Long> shells = waitForShells(1);
      shells.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      for (long pid : shells) {
        ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().join());
      }
      SandboxExecution sandbox = pool.start(Sandboxes.python(work.path(), List.of(), Sandboxes.LIMITS,
          "print('fresh')"), OutputListener.NONE);
      sandbox.closeStdin();
      assertThat(sandbox.await().stdout()).isEqualTo("fresh\n");
    }
  }

  @Test
  @DisplayName("A launch whose shell died before its go line fails clearly, marked worth one more try")
  void shellGoneBeforeGo() throws Exception {
    List<Long> before = waitingShells();
    Launcher launcher = Sandboxes.RUNNER.prepare();
    List<Long> shells = waitForShells(before.size() + 1);
    shells.removeAll(before);
    shells.forEach(pid -> ProcessHandle.of(pid).ifPresent(handle -> {
      handle.destroyForcibly();
      handle.onExit().join();
    }));
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      assertThatThrownBy(() -> Sandboxes.RUNNER.launch(launcher,
          Sandboxes.python(work.path(), List.of(), Sandboxes.LIMITS, "print(1)"), OutputListener.NONE))
          .isInstanceOf(SandboxUnavailableException.class)
          .hasMessageContaining("launcher ended before the launch");
    }
    assertThat(launcher.endedEarly()).isTrue();
  }

  @Test
  @DisplayName("Closing the pool ends its waiting shells and removes their groups")
  void closeLeavesNothing() throws Exception {
    LauncherPool pool = Sandboxes.RUNNER.pool(3);
    waitForShells(3);
    List<Path> groups = ownGroups();
    assertThat(groups).hasSizeGreaterThanOrEqualTo(3);
    pool.close();
    assertThat(waitingShells()).isEmpty();
    assertThat(groups).noneMatch(Files::exists);
  }

  /** This JVM's launch shells still waiting for their go line. */
  private static List<Long> waitingShells() {
    return ProcessHandle.current().children()
        .filter(child -> child.info().arguments()
            .map(args -> Arrays.asList(args).contains("bubble-sandbox-launch")).orElse(false))
        .map(ProcessHandle::pid).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
  }

  private static List<Long> waitForShells(int count) {
    return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .until(LauncherPoolIT::waitingShells, shells -> shells.size() >= count);
  }

  /** The freezer groups of this JVM's launches. */
  private static List<Path> ownGroups() throws IOException {
    Path parent = Path.of("/sys/fs/cgroup/freezer/bubble-sandbox");
    String prefix = RunOwner.GROUP_PREFIX + RunOwner.TOKEN + "-";
    try (Stream<Path> children = Files.list(parent)) {
      return children.filter(child -> child.getFileName().toString().startsWith(prefix)).toList();
    }
  }
}
