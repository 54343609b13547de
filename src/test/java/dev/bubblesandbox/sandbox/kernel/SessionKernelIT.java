package dev.bubblesandbox.sandbox.kernel;

import static dev.bubblesandbox.sandbox.Sandboxes.ENVIRONMENTS;
import static dev.bubblesandbox.sandbox.Sandboxes.RUNNER;
import static dev.bubblesandbox.sandbox.Sandboxes.TMPFS_SIZE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.HostProcesses;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.Sandboxes;
import dev.bubblesandbox.sandbox.TemporaryWorkDir;
import dev.bubblesandbox.sandbox.limits.ResourceLimits;
import dev.bubblesandbox.sandbox.limits.RunOwner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Kernel sessions in real sandboxes: state kept, interrupts, limits, rich results, isolation. */
class SessionKernelIT {

  private static final ExecutionLimits LIMITS = new ExecutionLimits(Duration.ofSeconds(30), 1 << 20,
      TMPFS_SIZE, ExecutionLimits.DEFAULT_WORKSPACE_BYTES, new ResourceLimits(256L << 20, 64, 1.0));
  /** The text that only the runner's command line holds: how its processes are found on the host. */
  private static final String RUNNER_TEXT = "The Python of a kernel session";

  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(opened);
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  private TemporaryWorkDir workDir() {
    TemporaryWorkDir work = Sandboxes.temporaryWorkDir();
    opened.add(work);
    return work;
  }

  private SessionKernel kernel(String environment, Path workDir) {
    LaunchSpec template = new LaunchSpec("kernel-it", new EnvironmentCatalog(ENVIRONMENTS).require(environment),
        workDir, List.of(), Program.python("pass"), LIMITS);
    SessionKernel kernel = SessionKernel.open(RUNNER, template, KernelSettings.DEFAULT, KernelObserver.NONE);
    opened.add(kernel);
    return kernel;
  }

  private SessionKernel kernel() {
    return kernel("bare", workDir().path());
  }

  private KernelResult run(SessionKernel kernel, String code) {
    return run(kernel, code, LIMITS);
  }

  private KernelResult run(SessionKernel kernel, String code, ExecutionLimits limits) {
    return kernel.execute(code, null, limits, new KernelListener() {
      @Override
      public void onOutput(Stream stream, String text) {
        events.add(stream.name().toLowerCase() + ":" + text);
      }

      @Override
      public void onDisplay(Map<String, Object> bundle) {
        events.add("display:" + bundle.keySet());
      }

      @Override
      public void onResult(Map<String, Object> bundle) {
        events.add("result:" + bundle.get("text/plain"));
      }
    });
  }

  /** The listener's events, each stream's consecutive chunks joined: chunking is the pipes' business. */
  private List<String> transcript() {
    List<String> joined = new ArrayList<>();
    for (String event : events) {
      int last = joined.size() - 1;
      String kind = event.substring(0, event.indexOf(':') + 1);
      if (last >= 0 && kind.startsWith("std") && joined.get(last).startsWith(kind)) {
        joined.set(last, joined.get(last) + event.substring(kind.length()));
      } else {
        joined.add(event);
      }
    }
    return joined;
  }

  private static Object mainResult(KernelResult result, String mime) {
    return result.results().stream().filter(bundle -> Boolean.TRUE.equals(bundle.get("is_main_result")))
        .findFirst().map(bundle -> bundle.get(mime)).orElse(null);
  }

  @Test
  @DisplayName("state is kept between executions: x = 41, then x + 1 is 42 with execution count 2")
  void keepsState() {
    SessionKernel kernel = kernel();
    KernelResult first = run(kernel, "x = 41\nprint('set')");
    assertThat(first.kernel()).isEqualTo(KernelState.RESTARTED);
    assertThat(first.execution().start()).isEqualTo("cold");
    assertThat(first.execution().stdout()).isEqualTo("set\n");
    assertThat(first.executionCount()).isEqualTo(1);

    KernelResult second = run(kernel, "x + 1");
    assertThat(second.kernel()).isEqualTo(KernelState.PRESERVED);
    assertThat(second.execution().start()).isEqualTo("warm");
    assertThat(second.executionCount()).isEqualTo(2);
    assertThat(mainResult(second, "text/plain")).isEqualTo("42");
    assertThat(second.error()).isNull();
    assertThat(second.execution().returnCode()).isZero();
    assertThat(transcript()).containsSubsequence("stdout:set\n", "result:42");
    assertThat(kernel.alive()).isTrue();
    assertThat(kernel.memoryBytes()).isPositive();
  }

  @Test
  @DisplayName("an exception is the execution's error, its traceback names the user's line, and the state stays")
  void errorKeepsState() {
    SessionKernel kernel = kernel();
    run(kernel, "x = 41");
    KernelResult failed = run(kernel, "y = 1\n\ndef f():\n    return 1 / 0\nf()");
    assertThat(failed.kernel()).isEqualTo(KernelState.PRESERVED);
    assertThat(failed.error().name()).isEqualTo("ZeroDivisionError");
    assertThat(failed.error().value()).isEqualTo("division by zero");
    assertThat(failed.error().traceback()).anyMatch(line -> line.contains("<cell>\", line 4"))
        .anyMatch(line -> line.contains("<cell>\", line 5")).noneMatch(line -> line.contains("<string>"));
    assertThat(failed.execution().returnCode()).isEqualTo(1);
    assertThat(mainResult(run(kernel, "x + y"), "text/plain")).isEqualTo("42");
  }

  @Test
  @DisplayName("an interrupt stops a busy loop within a second with KeyboardInterrupt and keeps the state")
  void interruptStopsBusyLoop() {
    SessionKernel kernel = kernel();
    run(kernel, "x = 41");
    CompletableFuture<KernelResult> busy = CompletableFuture.supplyAsync(
        () -> run(kernel, "print('looping', flush=True)\nwhile True: pass"));
    await().atMost(Duration.ofSeconds(20)).until(() -> transcript().contains("stdout:looping\n"));
    kernel.interrupt();
    await().atMost(Duration.ofSeconds(1)).until(busy::isDone);
    KernelResult interrupted = busy.join();
    assertThat(interrupted.kernel()).isEqualTo(KernelState.PRESERVED);
    assertThat(interrupted.error().name()).isEqualTo("KeyboardInterrupt");
    assertThat(interrupted.execution().timedOut()).isFalse();
    assertThat(mainResult(run(kernel, "x + 1"), "text/plain")).isEqualTo("42");
  }

  @Test
  @DisplayName("a timeout interrupts time.sleep, and the kernel keeps its state")
  void timeoutInterruptsSleep() {
    SessionKernel kernel = kernel();
    run(kernel, "x = 41");
    KernelResult slept = run(kernel, "import time\ntime.sleep(100)", LIMITS.withTimeout(Duration.ofSeconds(1)));
    assertThat(slept.kernel()).isEqualTo(KernelState.PRESERVED);
    assertThat(slept.execution().timedOut()).isTrue();
    assertThat(slept.execution().limit()).isEqualTo("timeout");
    assertThat(slept.error().name()).isEqualTo("KeyboardInterrupt");
    assertThat(mainResult(run(kernel, "x + 1"), "text/plain")).isEqualTo("42");
  }

  @Test
  @DisplayName("a timeout on code that ignores interrupts kills the kernel (lost); the next execution restarts it")
  void timeoutKillsStubbornCode() {
    SessionKernel kernel = kernel();
    run(kernel, "x = 41");
    KernelResult stuck = run(kernel, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass",
        LIMITS.withTimeout(Duration.ofSeconds(1)));
    assertThat(stuck.kernel()).isEqualTo(KernelState.LOST);
    assertThat(stuck.execution().timedOut()).isTrue();
    assertThat(stuck.execution().limit()).isEqualTo("timeout");
    assertThat(kernel.alive()).isFalse();

    KernelResult fresh = run(kernel, "'x' in globals()");
    assertThat(fresh.kernel()).isEqualTo(KernelState.RESTARTED);
    assertThat(fresh.executionCount()).isEqualTo(1);
    assertThat(mainResult(fresh, "text/plain")).isEqualTo("False");
  }

  @Test
  @DisplayName("code whose own SIGINT handler swallows the interrupt is killed at the timeout's grace")
  void timeoutKillsCodeThatSwallowsInterrupts() {
    SessionKernel kernel = kernel();
    run(kernel, "x = 41");
    KernelResult stuck = run(kernel, "import signal\nsignal.signal(signal.SIGINT, lambda *args: None)\n"
        + "while True: pass", LIMITS.withTimeout(Duration.ofSeconds(1)));
    assertThat(stuck.kernel()).isEqualTo(KernelState.LOST);
    assertThat(stuck.execution().limit()).isEqualTo("timeout");
    assertThat(run(kernel, "1").kernel()).isEqualTo(KernelState.RESTARTED);
  }

  @Test
  @DisplayName("a memory hog ends the kernel with limit memory; the next execution restarts it")
  void memoryHogLosesKernel() {
    SessionKernel kernel = kernel();
    run(kernel, "x = 41");
    KernelResult hog = run(kernel, "b = bytearray(1 << 30)");
    assertThat(hog.kernel()).isEqualTo(KernelState.LOST);
    assertThat(hog.execution().limit()).isEqualTo("memory");
    KernelResult fresh = run(kernel, "'x' in globals()");
    assertThat(fresh.kernel()).isEqualTo(KernelState.RESTARTED);
    assertThat(mainResult(fresh, "text/plain")).isEqualTo("False");
  }

  @Test
  @DisplayName("hitting the task limit ends the kernel with limit pids; the next execution restarts it")
  void pidsLimitLosesKernel() {
    SessionKernel kernel = kernel();
    run(kernel, "x = 41");
    String seconds = Sandboxes.uniqueSleepSeconds();
    KernelResult forked = run(kernel, "import subprocess\nps = [subprocess.Popen(['sleep', '" + seconds
        + "']) for _ in range(200)]");
    assertThat(forked.kernel()).isEqualTo(KernelState.LOST);
    assertThat(forked.execution().limit()).isEqualTo("pids");
    assertThat(Sandboxes.survivors(Duration.ofSeconds(3), "sleep", seconds)).isEmpty();
    assertThat(run(kernel, "'x' in globals()").kernel()).isEqualTo(KernelState.RESTARTED);
  }

  @Test
  @DisplayName("output past max_output_bytes is truncated and interrupts the code")
  void outputLimitInterrupts() {
    SessionKernel kernel = kernel();
    ExecutionLimits small = new ExecutionLimits(Duration.ofSeconds(30), 10_000, TMPFS_SIZE,
        ExecutionLimits.DEFAULT_WORKSPACE_BYTES, LIMITS.resources());
    run(kernel, "x = 41");
    KernelResult flood = run(kernel, "while True:\n    print('y' * 100)", small);
    assertThat(flood.kernel()).isEqualTo(KernelState.PRESERVED);
    assertThat(flood.execution().truncated()).isTrue();
    assertThat(flood.execution().limit()).isEqualTo("output");
    assertThat(flood.execution().stdout()).hasSizeLessThanOrEqualTo(10_000);
    assertThat(flood.error().name()).isEqualTo("KeyboardInterrupt");
  }

  @Test
  @DisplayName("restart() ends the Python: the next execution starts fresh without the old names")
  void restartClearsState() {
    SessionKernel kernel = kernel();
    run(kernel, "x = 41");
    kernel.restart();
    KernelResult fresh = run(kernel, "'x' in globals()");
    assertThat(fresh.kernel()).isEqualTo(KernelState.RESTARTED);
    assertThat(mainResult(fresh, "text/plain")).isEqualTo("False");
  }

  @Test
  @DisplayName("display() and _repr_html_ objects are display and result bundles, in order with the output")
  void richDisplays() {
    SessionKernel kernel = kernel();
    KernelResult shown = run(kernel, """
        class Bold:
            def _repr_html_(self):
                return '<b>bold</b>'
            def __repr__(self):
                return 'Bold()'
        print('before')
        display(Bold())
        print('after')
        Bold()
        """);
    assertThat(shown.results()).hasSize(2);
    assertThat(shown.results().get(0)).containsEntry("text/html", "<b>bold</b>")
        .containsEntry("text/plain", "Bold()").containsEntry("is_main_result", false);
    assertThat(shown.results().get(1)).containsEntry("text/html", "<b>bold</b>")
        .containsEntry("is_main_result", true);
    assertThat(transcript()).containsExactly("stdout:before\n", "display:[text/plain, text/html]",
        "stdout:after\n", "result:Bold()");
  }

  @Test
  @DisplayName("a matplotlib figure in data-science is a PNG display that decodes")
  void matplotlibFigure() throws IOException {
    SessionKernel kernel = kernel("data-science", workDir().path());
    KernelResult plotted = run(kernel, """
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=(3, 2), dpi=100)
        plt.plot([1, 2, 3], [1, 4, 9])
        plt.show()
        """);
    assertThat(plotted.error()).isNull();
    assertThat(plotted.results()).hasSize(1);
    byte[] png = Base64.getDecoder().decode((String) plotted.results().get(0).get("image/png"));
    assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    ByteBuffer header = ByteBuffer.wrap(png, 8, 24);
    assertThat(header.getInt()).isEqualTo(13);
    assertThat(header.getInt()).isEqualTo(0x49484452); // IHDR
    int width = header.getInt();
    int height = header.getInt();
    assertThat(width).isBetween(100, 400);
    assertThat(height).isBetween(50, 300);
    assertThat(width).isGreaterThan(height);

    KernelResult frame = run(kernel, "import pandas as pd\npd.DataFrame({'a': [1, 2]})");
    assertThat((String) mainResult(frame, "text/html")).contains("<table");
    assertThat((String) mainResult(frame, "text/plain")).contains("a");
  }

  @Test
  @DisplayName("a 5 MB PNG result goes to .results/ as a file with its bytes")
  void largeResultSpills() throws IOException {
    Path work = workDir().path();
    SessionKernel kernel = kernel("bare", work);
    KernelResult big = run(kernel, """
        class Big:
            def _repr_png_(self):
                return b'\\x89PNG\\r\\n\\x1a\\n' + bytes(range(256)) * 20000
        Big()
        """);
    @SuppressWarnings("unchecked")
    Map<String, Object> file = (Map<String, Object>) mainResult(big, "image/png");
    assertThat(file).containsEntry("mime", "image/png").containsEntry("bytes", 8 + 256 * 20000);
    String name = (String) file.get("file");
    assertThat(name).startsWith(".results/");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    byte[] range = new byte[256];
    for (int i = 0; i < 256; i++) {
      range[i] = (byte) i;
    }
    for (int i = 0; i < 20000; i++) {
      expected.write(range);
    }
    assertThat(Files.readAllBytes(work.resolve(name))).isEqualTo(expected.toByteArray());
  }

  @Test
  @DisplayName("bundles past 16 x max_inline_result_bytes in one execution are dropped as truncated output")
  void resultsAreBounded() {
    LaunchSpec template = new LaunchSpec("kernel-it", new EnvironmentCatalog(ENVIRONMENTS).require("bare"),
        workDir().path(), List.of(), Program.python("pass"), LIMITS);
    SessionKernel kernel = SessionKernel.open(RUNNER, template,
        new KernelSettings(1000, KernelSettings.DEFAULT_INTERRUPT_GRACE), KernelObserver.NONE);
    opened.add(kernel);
    KernelResult many = run(kernel, "for i in range(200):\n    display('z' * 900)");
    assertThat(many.kernel()).isEqualTo(KernelState.RESTARTED);
    assertThat(many.execution().truncated()).isTrue();
    assertThat(many.execution().limit()).isEqualTo("output");
    assertThat(many.results()).hasSizeBetween(10, 17);
    assertThat(run(kernel, "1").kernel()).isEqualTo(KernelState.PRESERVED);
  }

  @Test
  @DisplayName("two kernels see neither each other's variables, files nor processes")
  void kernelsAreIsolated() {
    SessionKernel first = kernel();
    SessionKernel second = kernel();
    String seconds = Sandboxes.uniqueSleepSeconds();
    run(first, "secret = 1\nopen('mine.txt', 'w').write('a')\nimport subprocess\n"
        + "p = subprocess.Popen(['sleep', '" + seconds + "'])");
    KernelResult seen = run(second, """
        import os
        found = []
        for pid in os.listdir('/proc'):
            if pid.isdigit():
                try:
                    found.append(open('/proc/' + pid + '/cmdline', 'rb').read())
                except OSError:
                    pass
        ('secret' in globals(), os.path.exists('mine.txt'), any(b'%s' in c for c in found))
        """.formatted(seconds));
    assertThat(mainResult(seen, "text/plain")).isEqualTo("(False, False, False)");
    assertThat(HostProcesses.withArgv("sleep", seconds)).hasSize(1);
    first.close();
    assertThat(Sandboxes.survivors(Duration.ofSeconds(3), "sleep", seconds)).isEmpty();
  }

  @Test
  @DisplayName("close() leaves no process and no group behind, and is idempotent")
  void closeLeavesNothing() {
    List<Path> groupsBefore = kernelGroups();
    SessionKernel kernel = kernel();
    assertThat(run(kernel, "1 + 1").kernel()).isEqualTo(KernelState.RESTARTED);
    assertThat(HostProcesses.containing(RUNNER_TEXT)).isNotEmpty();
    assertThat(kernelGroups()).hasSizeGreaterThan(groupsBefore.size());
    kernel.close();
    kernel.close();
    assertThat(kernel.alive()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> HostProcesses.containing(RUNNER_TEXT).isEmpty());
    assertThat(kernelGroups()).isEqualTo(groupsBefore);
  }

  @Test
  @DisplayName("the observer hears of each start and each end with its reason")
  void observerCountsRestarts() {
    List<String> heard = new CopyOnWriteArrayList<>();
    LaunchSpec template = new LaunchSpec("kernel-it", new EnvironmentCatalog(ENVIRONMENTS).require("bare"),
        workDir().path(), List.of(), Program.python("pass"), LIMITS);
    SessionKernel kernel = SessionKernel.open(RUNNER, template, KernelSettings.DEFAULT, new KernelObserver() {
      @Override
      public void started() {
        heard.add("started");
      }

      @Override
      public void ended(String reason) {
        heard.add(reason);
      }
    });
    opened.add(kernel);
    run(kernel, "1");
    kernel.restart();
    run(kernel, "import os\nos._exit(3)");
    run(kernel, "1");
    kernel.close();
    assertThat(heard).containsExactly("started", "restart", "started", "crash", "started", "close");
  }

  /** The groups of this JVM's runs on the host: a kernel's group is among them while it lives. */
  private static List<Path> kernelGroups() {
    String prefix = RunOwner.GROUP_PREFIX + RunOwner.TOKEN + "-";
    try (Stream<Path> found = Files.find(Path.of("/sys/fs/cgroup"), 6,
        (path, attributes) -> attributes.isDirectory() && path.getFileName() != null
            && path.getFileName().toString().startsWith(prefix))) {
      return found.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
