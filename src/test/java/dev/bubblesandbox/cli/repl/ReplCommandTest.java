package dev.bubblesandbox.cli.repl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The repl's options, parsed as picocli parses them, without running anything. */
class ReplCommandTest {

  @Test
  @DisplayName("-e, -w, -t and -c as the run commands spell them; bare and no work dir by default")
  void options() {
    ReplCommand defaults = new ReplCommand();
    new CommandLine(defaults).parseArgs();
    assertThat(defaults.environment).isEqualTo("bare");
    assertThat(defaults.workdir).isNull();
    assertThat(defaults.timeoutSeconds).isNull();

    ReplCommand given = new ReplCommand();
    new CommandLine(given).parseArgs("-e", "pandas-only", "-w", "/tmp/w", "-t", "5", "-c", "conf.yaml");
    assertThat(given.environment).isEqualTo("pandas-only");
    assertThat(given.workdir).isEqualTo(Path.of("/tmp/w"));
    assertThat(given.timeoutSeconds).isEqualTo(5);
    assertThat(given.configFile).isEqualTo(Path.of("conf.yaml"));

    ReplCommand spelledOut = new ReplCommand();
    new CommandLine(spelledOut).parseArgs("--environment=bare", "--workdir", "/w", "--timeout", "7", "--config", "c");
    assertThat(spelledOut.workdir).isEqualTo(Path.of("/w"));
    assertThat(spelledOut.timeoutSeconds).isEqualTo(7);
  }
}
