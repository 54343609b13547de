package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bench}'s option checks, which refuse before anything is started. */
class BenchCommandTest {

  @Test
  @DisplayName("bench --log-level refuses a level the server does not know, listing those it does")
  void unknownLogLevel() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err));

    // Every other option valid and minimal, so that only the level can refuse (and a broken
    // check would run one short benchmark in an environment that does not exist, not 200 executions).
    int status = command.execute("--log-level", "loud", "-n", "1", "--rounds", "1", "--warmup", "0",
        "--rss-runs", "0", "-c", "1", "-e", "no-such-environment");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("--log-level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
  }
}
