package dev.bubblesandbox.sandbox;

import static dev.bubblesandbox.sandbox.Sandboxes.LIMITS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.limits.RunOwner;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Scripts past Linux's 128 KiB argument limit run, through real bwrap, and look to the script as
 * {@code python -c} and {@code sh -c} do; a sandbox that cannot start is a failure, not a result.
 */
class LargeScriptIT {

  /** 500 KiB of string literal, then code that reports what the script sees. */
  private static final String PADDING = "a".repeat(500 * 1024);

  private static ExecutionResult run(Program program, String stdin) throws Exception {
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      SandboxExecution sandbox = Sandboxes.RUNNER.start(new LaunchSpec(UUID.randomUUID().toString(),
          Sandboxes.bare(), work.path(), List.of(), program, LIMITS), OutputListener.NONE);
      sandbox.writeStdin(stdin.getBytes(StandardCharsets.UTF_8));
      sandbox.closeStdin();
      return sandbox.await();
    }
  }

  @Test
  @DisplayName("a 500 KiB Python script runs as python -c would run it, with stdin free for the script")
  void largePythonScript() throws Exception {
    ExecutionResult result = run(Program.python("x = '" + PADDING + "'\n"
        + "import os, sys\n"
        + "print(len(x), sys.argv, '__file__' in globals(), repr(sys.path[0]), __name__)\n"
        + "print(sorted(k for k in globals() if not k.startswith('__')))\n"
        + "print(os.access('" + Program.SOURCE_PATH + "', os.W_OK), input())\n"), "from stdin\n");

    assertThat(result.stderr()).isEmpty();
    assertThat(result.stdout()).isEqualTo(
        "512000 ['-c'] False '' __main__\n['os', 'sys', 'x']\nFalse from stdin\n");
    assertThat(result.returnCode()).isZero();
  }

  @Test
  @DisplayName("tracebacks and syntax errors read exactly as python -c prints them")
  void tracebacksAsPythonC() throws Exception {
    ExecutionResult failed = run(Program.python("def f():\n    1/0\nf()\n"), "");
    assertThat(failed.stderr()).isEqualTo("Traceback (most recent call last):\n"
        + "  File \"<string>\", line 3, in <module>\n"
        + "  File \"<string>\", line 2, in f\n"
        + "ZeroDivisionError: division by zero\n");
    assertThat(failed.returnCode()).isEqualTo(1);

    ExecutionResult syntax = run(Program.python("print(1)\nx =\n"), "");
    assertThat(syntax.stdout()).isEmpty();
    assertThat(syntax.stderr()).startsWith("  File \"<string>\", line 2\n").endsWith("SyntaxError: invalid syntax\n");
    assertThat(syntax.returnCode()).isEqualTo(1);

    assertThat(run(Program.python("import sys; sys.exit(7)"), "").returnCode()).isEqualTo(7);
  }

  @Test
  @DisplayName("a 500 KiB shell script runs as sh -c would run it")
  void largeShellScript() throws Exception {
    ExecutionResult result = run(Program.shell("x=" + PADDING + "\necho ${#x} $0 $#\nread line; echo \"$line\"\n"),
        "from stdin\n");

    assertThat(result.stderr()).isEmpty();
    assertThat(result.stdout()).isEqualTo("512000 sh 0\nfrom stdin\n");
  }

  @Test
  @DisplayName("a command that cannot be executed is the program's failure (127), with no host path")
  void missingCommandIsAResult() throws Exception {
    ExecutionResult result = run(Program.command(List.of("no-such-command", "arg")), "");

    assertThat(result.returnCode()).isEqualTo(127);
    assertThat(result.stderr()).contains("no-such-command: not found").doesNotContain("bwrap", "/tmp", "setpriv");
  }

  @Test
  @DisplayName("a sandbox whose program never started is a launch failure, not a result with bwrap's stderr")
  void failedStartIsAFailure() {
    assertThatThrownBy(() -> run(Program.direct(List.of("/no/such/program")), ""))
        .isInstanceOf(SandboxUnavailableException.class)
        .hasMessageContaining("could not be started");
  }

  @Test
  @DisplayName("a launch leaves no source, status or command file behind in the runner's private directory")
  void launchFilesRemoved() throws Exception {
    run(Program.python("print(1)"), "");
    List<String> left = new ArrayList<>();
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "bubble-sandbox-" + RunOwner.TOKEN + "-*")) {
      for (Path dir : dirs) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
          files.forEach(file -> left.add(file.getFileName().toString()));
        }
      }
    }
    assertThat(left).containsOnly("seccomp.bpf");
  }
}
