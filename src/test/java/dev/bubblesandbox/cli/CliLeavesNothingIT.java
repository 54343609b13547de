package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A CLI run leaves no private directory and no cgroup behind: the launcher's cleanup (group
 * removal, command file) goes on after the result is known, and the JVM's exit used to cut it
 * short in about half of the runs.
 */
class CliLeavesNothingIT {

  @Test
  @DisplayName("eight runs of execute-python -a -s 'print(1)' in a row leave no /tmp/bubble-sandbox-<pid>* and no l<pid>* group")
  void repeatedRuns() throws Exception {
    for (int run = 0; run < 8; run++) {
      Process process = CliProcess.builder(Map.of(), "execute-python", "-a", "-s", "print(1)")
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true)
          .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output).isEqualTo("1\n");
      assertThat(CliLeftovers.of(process.pid())).as("run " + run).isEmpty();
    }
  }

  @Test
  @DisplayName("Ctrl-C (SIGINT) and SIGTERM mid-run: the sandbox is killed, nothing is left, the status is 128+N")
  void interrupted() throws Exception {
    for (String signal : new String[] {"INT", "TERM"}) {
      Process process = CliProcess.interruptibleBuilder("exec-command", "echo started; sleep 60")
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true)
          .start();
      BufferedReader stdout = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      assertThat(stdout.readLine()).contains("Running shell command");
      assertThat(stdout.readLine()).isEqualTo("started");

      new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();

      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits after SIG" + signal).isTrue();
      assertThat(process.exitValue()).isEqualTo(signal.equals("INT") ? 130 : 143);
      assertThat(CliLeftovers.of(process.pid())).as("after SIG" + signal).isEmpty();
    }
  }
}
