package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bubble-sandbox repl} as a person uses it: in a real terminal (a pty that a small Python
 * bridge opens; it passes our keys in and the screen out), with a real kernel in a real sandbox.
 */
class ReplIT {

  /**
   * Runs its arguments on a new pty of 100x24 and copies stdin to the pty and the pty to stdout
   * until the program ends; exits with its status. Python's stdlib only.
   */
  private static final String PTY_BRIDGE = """
      import fcntl, os, pty, select, struct, sys, termios
      pid, master = pty.fork()
      if pid == 0:
          fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 100, 0, 0))
          os.execvp(sys.argv[1], sys.argv[1:])
      keys = True
      while True:
          ready = select.select([master] + ([0] if keys else []), [], [])[0]
          if master in ready:
              try:
                  data = os.read(master, 65536)
              except OSError:
                  data = b''
              if not data:
                  break
              os.write(1, data)
          if 0 in ready:
              data = os.read(0, 65536)
              if data:
                  os.write(master, data)
              else:
                  keys = False
      status = os.waitpid(pid, 0)[1]
      sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
      """;

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  private final StringBuffer screen = new StringBuffer();
  private Process bridge;
  private OutputStream keys;

  @AfterEach
  void stop() throws InterruptedException {
    if (bridge != null && bridge.isAlive()) {
      bridge.descendants().forEach(ProcessHandle::destroyForcibly);
      bridge.destroyForcibly();
      bridge.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("state lives on between inputs, Ctrl-C interrupts a loop and keeps it, Ctrl-D ends with 0 and leaves nothing")
  void interactiveSession() throws Exception {
    // the sandbox uid must search its way to the lent work dir; @TempDir is root's alone
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path work = Files.createDirectory(dir.resolve("work"));
    Path history = Files.createDirectory(dir.resolve("state"));
    long jvm = start(work, history);
    awaitScreen("In [1]: ");

    type("x = 42\r");
    awaitScreen("In [2]: ");
    // Ctrl-C at the prompt drops what was typed, an unfinished block included
    type("if undefined_name(\r    \u0003");
    awaitScreen("In [2]: ");
    type("x\r");
    awaitScreen("Out[2]: 42");

    // a block: more lines until an empty one
    type("def twice(a):\r");
    awaitScreen("...: ");
    type("    return a * 2\r\r");
    awaitScreen("In [4]: ");
    type("twice(x)\r");
    awaitScreen("Out[4]: 84");

    // Ctrl-C once the loop runs: KeyboardInterrupt, and x is still there
    type("if True:\r    print('spin' + 'ning', flush=True)\r    while True: pass\r\r");
    awaitScreen("\nspinning\n");
    type("\u0003");
    awaitScreen("KeyboardInterrupt");
    awaitScreen("In [6]: ");
    type("x + 1\r");
    awaitScreen("Out[6]: 43");

    type("1 / 0\r");
    awaitScreen("ZeroDivisionError");
    awaitScreen("In [8]: ");

    // an image is saved into the work dir, its path shown
    type("class Picture:\r    def _repr_png_(self):\r        return b'not really a png'\r\r");
    awaitScreen("In [9]: ");
    type("Picture()\r");
    Path png = work.resolve(".results/out-9.png");
    awaitScreen("Out[9]: <image/png: 16 bytes saved to " + png + ">");
    assertThat(Files.readString(png)).isEqualTo("not really a png");

    type("\u0004");
    assertThat(bridge.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(plain()).isTrue();
    assertThat(bridge.exitValue()).as(plain()).isZero();
    assertThat(CliLeftovers.of(jvm)).as("private files and groups of the repl's JVM").isEmpty();
    assertThat(processesNaming(work)).as("sandboxes bound to the work dir").isEmpty();
    assertThat(Files.getAttribute(work, "unix:uid")).as("the work dir given back").isEqualTo(0);
    assertThat(Files.readString(history.resolve("bubble-sandbox/repl_history"))).contains("twice(x)");
  }

  @Test
  @DisplayName("SIGTERM (SIGHUP alike) ends the kernel and gives the work dir back before the JVM exits")
  void terminated() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path work = Files.createDirectory(dir.resolve("work"));
    long jvm = start(work, Files.createDirectory(dir.resolve("state")));
    awaitScreen("In [1]: ");
    type("open('made.txt', 'w').write('by the kernel')\r");
    awaitScreen("In [2]: ");
    assertThat(processesNaming(work)).as("the kernel's sandbox").isNotEmpty();

    new ProcessBuilder("kill", "-TERM", Long.toString(jvm)).inheritIO().start().waitFor();

    assertThat(bridge.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(plain()).isTrue();
    assertThat(bridge.exitValue()).isEqualTo(143);
    assertThat(CliLeftovers.of(jvm)).isEmpty();
    assertThat(processesNaming(work)).isEmpty();
    assertThat(Files.getAttribute(work.resolve("made.txt"), "unix:uid")).isEqualTo(0);
  }

  private long start(Path work, Path history) throws IOException {
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", PTY_BRIDGE));
    ProcessBuilder repl = CliProcess.builder(Map.of(), "repl", "-w", work.toString());
    command.addAll(repl.command());
    ProcessBuilder builder = new ProcessBuilder(command).directory(repl.directory())
        .redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(repl.environment());
    builder.environment().put("TERM", "xterm");
    builder.environment().put("XDG_STATE_HOME", history.toString());
    bridge = builder.start();
    keys = bridge.getOutputStream();
    Thread reader = new Thread(() -> copy(bridge.getInputStream()), "repl-screen");
    reader.setDaemon(true);
    reader.start();
    await().atMost(WAIT).until(() -> bridge.children().findAny().isPresent());
    return bridge.children().findFirst().orElseThrow().pid();
  }

  private void copy(InputStream screenBytes) {
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = screenBytes.read(buffer)) > 0; ) {
        screen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the bridge ended
    }
  }

  private void type(String text) throws IOException {
    keys.write(text.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  private void awaitScreen(String text) {
    try {
      await().atMost(WAIT).until(() -> plain().contains(text));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the screen does not show '" + text + "' but:\n" + strip(screen.toString()), e);
    }
    // later waits look only at what comes after
    int at = plain().indexOf(text);
    seen += at + text.length();
  }

  private int seen;

  /** The screen after the last awaited text, without terminal escapes. */
  private String plain() {
    return strip(screen.toString()).substring(Math.min(seen, strip(screen.toString()).length()));
  }

  private static String strip(String text) {
    return text.replaceAll("\u001B\\[[0-?]*[ -/]*[@-~]", "").replaceAll("\u001B[()][A-Za-z0-9]", "")
        .replaceAll("\u001B[=>78]", "").replace("\r", "");
  }

  private static List<Long> processesNaming(Path work) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(work.toString())) {
            found.add(Long.parseLong(process.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return found;
  }
}
