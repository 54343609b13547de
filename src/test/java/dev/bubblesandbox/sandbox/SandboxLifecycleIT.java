package dev.bubblesandbox.sandbox;

import static dev.bubblesandbox.sandbox.Sandboxes.LIMITS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How an execution ends: exit codes, signals, limits, stdin, and nothing left running. */
class SandboxLifecycleIT {

  /** Generous bound for a sandbox to print its first line; only a hang would take this long. */
  private static final long STARTUP_SECONDS = 20;

  /** How long a killed process tree may take to disappear from the host's /proc. */
  private static final Duration REAP_GRACE = Duration.ofSeconds(3);

  /** Streams stdout and lets the test wait until a marker line has been printed. */
  private static final class Marker implements OutputListener {
    private final String marker;
    private final StringBuilder stdout = new StringBuilder();
    private final CountDownLatch seen = new CountDownLatch(1);

    Marker(String marker) {
      this.marker = marker;
    }

    @Override
    public synchronized void onOutput(Stream stream, String text) {
      if (stream == Stream.STDOUT) {
        stdout.append(text);
        if (stdout.toString().contains(marker)) {
          seen.countDown();
        }
      }
    }

    void await() throws InterruptedException {
      assertThat(seen.await(STARTUP_SECONDS, TimeUnit.SECONDS)).as("saw '%s'", marker).isTrue();
    }
  }

  /**
   * Starts {@code script}, waits for it to print "started", checks that the host sees
   * {@code sleep SECONDS} running (so the later check can fail), and returns the running sandbox.
   */
  private static SandboxExecution startWithSleeper(TemporaryWorkDir work, String seconds, ExecutionLimits limits,
      String script) throws InterruptedException {
    Marker marker = new Marker("started");
    SandboxExecution sandbox = Sandboxes.RUNNER.start(
        Sandboxes.python(work.path(), List.of(), limits, script.replace("SECONDS", seconds)), marker);
    marker.await();
    // The sleeper may still be on its way through fork and exec: wait until the host sees it.
    await().atMost(Duration.ofSeconds(STARTUP_SECONDS)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
        assertThat(HostProcesses.withArgv("sleep", seconds)).as("the sleeper runs on the host").isNotEmpty());
    return sandbox;
  }

  @Test
  @DisplayName("the return code is the script's exit status")
  void exitStatus() throws InterruptedException {
    ExecutionResult result = Sandboxes.runPython("import sys; print('bye'); sys.exit(3)");

    assertThat(result.returnCode()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("bye\n");
    assertThat(result.timedOut()).isFalse();
    assertThat(result.limit()).isNull();
  }

  @Test
  @DisplayName("stderr is captured apart from stdout")
  void stderrApart() throws InterruptedException {
    ExecutionResult result = Sandboxes.runPython("import sys; print('out'); print('err', file=sys.stderr)");

    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("err\n");
  }

  @Test
  @DisplayName("a process killed by signal 9 reports return code -9")
  void killedBySignal() throws InterruptedException {
    ExecutionResult result = Sandboxes.runPython("import os; os.kill(os.getpid(), 9)");

    assertThat(result.returnCode()).isEqualTo(-9);
    assertThat(result.timedOut()).isFalse();
  }

  @Test
  @DisplayName("stdin written by the host is read by the script")
  void stdin() throws Exception {
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      SandboxExecution sandbox = Sandboxes.RUNNER.start(Sandboxes.python(work.path(), List.of(), LIMITS,
          "import sys; print(sys.stdin.read().upper(), end='')"), OutputListener.NONE);
      sandbox.writeStdin("héllo from the host\n".getBytes(StandardCharsets.UTF_8));
      sandbox.closeStdin();

      ExecutionResult result = sandbox.await();
      assertThat(result.stdout()).isEqualTo("HÉLLO FROM THE HOST\n");
      assertThat(result.returnCode()).isZero();
    }
  }

  @Test
  @DisplayName("the listener receives the output as it is produced, and all of it")
  void listenerStreams() throws Exception {
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      Marker marker = new Marker("first");
      SandboxExecution sandbox = Sandboxes.RUNNER.start(Sandboxes.python(work.path(), List.of(), LIMITS, """
          import sys
          print("first", flush=True)
          sys.stdin.read()
          print("second")
          """), marker);
      // "first" arrives while the script still waits for stdin: streamed, not collected at exit.
      marker.await();
      sandbox.closeStdin();

      ExecutionResult result = sandbox.await();
      assertThat(result.stdout()).isEqualTo("first\nsecond\n");
      synchronized (marker) {
        assertThat(marker.stdout.toString()).isEqualTo(result.stdout());
      }
    }
  }

  @Test
  @DisplayName("a timeout kills the sandbox: timed_out, return code -9, limit timeout, the output so far kept")
  void timeout() throws InterruptedException {
    String seconds = Sandboxes.uniqueSleepSeconds();
    ExecutionResult result = Sandboxes.runPython(LIMITS.withTimeout(Duration.ofSeconds(1)), """
        import subprocess, time
        subprocess.Popen(["sleep", "%s"])
        print("before the timeout", flush=True)
        time.sleep(60)
        print("after")
        """.formatted(seconds));

    assertThat(result.timedOut()).isTrue();
    assertThat(result.returnCode()).isEqualTo(-9);
    assertThat(result.limit()).isEqualTo(ExecutionResult.LIMIT_TIMEOUT);
    assertThat(result.stdout()).isEqualTo("before the timeout\n");
    assertThat(Sandboxes.survivors(REAP_GRACE, "sleep", seconds)).isEmpty();
  }

  @Test
  @DisplayName("output past the cap is dropped: truncated, limit output, return code 0")
  void outputCap() throws InterruptedException {
    ExecutionResult result = Sandboxes.runPython(new ExecutionLimits(Duration.ofSeconds(30), 1000, Sandboxes.TMPFS_SIZE),
        "import sys; sys.stdout.write('x' * 1_000_000); print('done', file=sys.stderr)");

    assertThat(result.truncated()).isTrue();
    assertThat(result.limit()).isEqualTo(ExecutionResult.LIMIT_OUTPUT);
    assertThat(result.returnCode()).isZero();
    assertThat(result.timedOut()).isFalse();
    assertThat(result.stdout()).isEqualTo("x".repeat(1000));
    assertThat(result.stderr()).isEqualTo("done\n");
  }

  @Test
  @DisplayName("a background process started by the script is gone when the script returns")
  void backgroundProcessDies() throws Exception {
    assertNothingSurvivesReturn("""
        import subprocess, sys
        subprocess.Popen(["sh", "-c", "sleep SECONDS &"])
        print("started", flush=True)
        sys.stdin.read()
        """);
  }

  @Test
  @DisplayName("a double-forked, session-leading process is gone when the script returns")
  void doubleForkedProcessDies() throws Exception {
    assertNothingSurvivesReturn("""
        import os, sys
        child = os.fork()
        if child == 0:
            if os.fork() == 0:
                os.setsid()
                os.execvp("sleep", ["sleep", "SECONDS"])
            os._exit(0)
        os.waitpid(child, 0)
        print("started", flush=True)
        sys.stdin.read()
        """);
  }

  /** Runs a script that leaves a {@code sleep SECONDS} behind, lets it return, checks the sleeper is gone. */
  private static void assertNothingSurvivesReturn(String script) throws Exception {
    String seconds = Sandboxes.uniqueSleepSeconds();
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      SandboxExecution sandbox = startWithSleeper(work, seconds, LIMITS, script);
      sandbox.closeStdin();

      ExecutionResult result = sandbox.await();
      assertThat(result.returnCode()).isZero();
      assertThat(Sandboxes.survivors(REAP_GRACE, "sleep", seconds)).isEmpty();
    }
  }

  @Test
  @DisplayName("kill() ends the whole sandbox, its processes included, with return code -9")
  void killEndsEverything() throws Exception {
    String seconds = Sandboxes.uniqueSleepSeconds();
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      SandboxExecution sandbox = startWithSleeper(work, seconds, LIMITS, """
          import subprocess, time
          subprocess.Popen(["sleep", "SECONDS"])
          print("started", flush=True)
          time.sleep(60)
          """);
      sandbox.kill();

      ExecutionResult result = sandbox.await();
      assertThat(sandbox.killed()).isTrue();
      assertThat(result.returnCode()).isEqualTo(-9);
      assertThat(result.timedOut()).isFalse();
      assertThat(Sandboxes.survivors(REAP_GRACE, "sleep", seconds)).isEmpty();
    }
  }

  @Test
  @DisplayName("start() refuses a work dir the sandbox cannot reach instead of letting bwrap exit 1")
  void unreachableWorkDir(@TempDir Path temp) throws Exception {
    Path work = Files.createDirectory(temp.resolve("work"));
    Sandboxes.USER.handOver(work);
    // As root the sandbox uid cannot pass root's 0700 directory; unprivileged, 0000 stops this user.
    boolean root = Sandboxes.USER.dropTo().isPresent();
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(root ? "rwx------" : "---------"));
    try {
      assertThatThrownBy(() -> Sandboxes.RUNNER.start(
          Sandboxes.python(work, List.of(), LIMITS, "print(1)"), OutputListener.NONE))
          .isInstanceOf(InvalidLaunchException.class)
          .hasMessageContaining(work.toString());
    } finally {
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx------"));
    }
  }
}
