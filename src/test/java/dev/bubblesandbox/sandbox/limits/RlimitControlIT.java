package dev.bubblesandbox.sandbox.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.SandboxExecution;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.Sandboxes;
import dev.bubblesandbox.sandbox.TemporaryWorkDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The last resort for hosts without cgroups, run here on purpose: real bwrap under the rlimits
 * the launcher sets, the sandbox uid as in production.
 */
class RlimitControlIT {

  private static final SandboxRunner RUNNER =
      SandboxRunner.create(Sandboxes.USER, new RlimitControl(), true);

  private static ExecutionResult run(ResourceLimits resources, String script) throws Exception {
    ExecutionLimits limits = new ExecutionLimits(Duration.ofSeconds(30), 1 << 20, Sandboxes.TMPFS_SIZE, 100L << 20, resources);
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      SandboxExecution sandbox = RUNNER.start(Sandboxes.python(work.path(), List.of(), limits, script),
          OutputListener.NONE);
      sandbox.closeStdin();
      return sandbox.await();
    }
  }

  @Test
  @DisplayName("It says what it enforces: memory and tasks, not CPU")
  void reportsWhatItEnforces() {
    assertThat(RUNNER.resources().mechanism()).isEqualTo("rlimit");
    assertThat(RUNNER.resources().enforced()).containsExactlyInAnyOrder("memory", "pids");
  }

  @Test
  @DisplayName("CPU is not enforced under rlimits: running needs allow_unlimited, and the refusal says so")
  void cpuNeedsAllowUnlimited() {
    assertThatThrownBy(() -> RUNNER.requireResourceLimits(false))
        .isInstanceOf(SandboxUnavailableException.class)
        .hasMessageContaining("cannot enforce the cpu limits")
        .hasMessageContaining("rlimit in force");
    RUNNER.requireResourceLimits(true);
  }

  @Test
  @DisplayName("The limits script works in bash too, where ulimit -p is the pipe size")
  void bashSetsTheTaskLimit() throws Exception {
    RlimitControl control = new RlimitControl();
    List<String> prefix = control.sandboxedPrefix(new ResourceLimits(512L << 20, 42, 1.0));
    List<String> command = new java.util.ArrayList<>(List.of("/bin/bash", "-c", prefix.get(2), prefix.get(3)));
    command.addAll(List.of("/bin/cat", "/proc/self/limits"));
    Process bash = new ProcessBuilder(command).redirectErrorStream(true).start();
    String limits = new String(bash.getInputStream().readAllBytes());
    assertThat(bash.waitFor()).isZero();
    assertThat(limits).containsPattern("Max address space +536870912 +536870912 ");
    if (control.enforced().contains("pids")) {
      assertThat(limits).containsPattern("Max processes +42 +42 ");
    }
  }

  @Test
  @DisplayName("A fork bomb meets the task limit: fork fails with EAGAIN")
  void forkBombBounded() throws Exception {
    ExecutionResult result = run(new ResourceLimits(512L << 20, 16, 1.0),
        "import os, time\n"
            + "n = 0\n"
            + "try:\n"
            + "    while n < 500:\n"
            + "        if os.fork() == 0:\n"
            + "            time.sleep(30)\n"
            + "            os._exit(0)\n"
            + "        n += 1\n"
            + "except BlockingIOError as e:\n"
            + "    print('stopped after', n, 'errno', e.errno)\n");
    assertThat(result.stdout()).startsWith("stopped after ").endsWith(" errno 11\n");
    int forks = Integer.parseInt(result.stdout().split(" ")[2]);
    assertThat(forks).isBetween(1, 16);
  }

  @Test
  @DisplayName("The task limit is each sandbox's own: other processes of the sandbox uid do not count")
  void taskLimitPerSandbox() throws Exception {
    List<Process> others = new java.util.ArrayList<>();
    String seconds = Sandboxes.uniqueSleepSeconds();
    try {
      for (int i = 0; i < 24; i++) {
        List<String> command = new java.util.ArrayList<>(Sandboxes.USER.dropTo().isPresent()
            ? Sandboxes.USER.commandPrefix(Path.of("/usr/bin/setpriv")) : List.of());
        command.addAll(List.of("/usr/bin/sleep", seconds));
        others.add(new ProcessBuilder(command).start());
      }
      ExecutionResult result = run(new ResourceLimits(512L << 20, 16, 1.0),
          "import subprocess\nprint(subprocess.run(['echo', 'started'], capture_output=True, text=True).stdout)");
      assertThat(result.stderr()).isEmpty();
      assertThat(result.stdout()).isEqualTo("started\n\n");
    } finally {
      others.forEach(Process::destroyForcibly);
    }
  }

  @Test
  @DisplayName("A memory hog meets the memory limit: MemoryError, return code 1")
  void memoryHogBounded() throws Exception {
    ExecutionResult result = run(new ResourceLimits(256L << 20, 128, 1.0),
        "chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))\n");
    assertThat(result.stderr()).contains("MemoryError");
    assertThat(result.returnCode()).isEqualTo(1);
  }

  @Test
  @DisplayName("Ordinary scripts still work under the default limits: threads, subprocess, a pool")
  void ordinaryScriptsWork() throws Exception {
    ExecutionResult result = run(ResourceLimits.DEFAULT,
        "import subprocess, threading, multiprocessing\n"
            + "ts = [threading.Thread(target=sum, args=([1, 2],)) for _ in range(8)]\n"
            + "[t.start() for t in ts]; [t.join() for t in ts]\n"
            + "print(subprocess.run(['echo', 'sub'], capture_output=True, text=True).stdout.strip())\n"
            + "with multiprocessing.Pool(2) as pool:\n"
            + "    print(pool.map(abs, [-1, -2]))\n");
    assertThat(result.stderr()).isEmpty();
    assertThat(result.stdout()).isEqualTo("sub\n[1, 2]\n");
  }
}
