package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What a first-time user sees when the command is missing or mistyped. */
class RootCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(String... args) {
    CommandLine commandLine = RootCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  @DisplayName("no command: the usage with every command on stderr, status 125 (a usage error), nothing on stdout")
  void noCommand() {
    assertThat(execute()).isEqualTo(125);

    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).startsWith("Usage: bubble-sandbox")
        .contains("execute-python").contains("serve").contains("doctor")
        .doesNotContain("Missing a command");
  }

  @Test
  @DisplayName("a mistyped command: 'unknown command' with the closest one by its main name")
  void typo() {
    assertThat(execute("exec-pyhton", "-s", "print(1)")).isEqualTo(125);

    assertThat(err.toString()).startsWith(
        "error: unknown command 'exec-pyhton'; did you mean 'execute-python'?\n")
        .doesNotContain("Unmatched argument");
  }

  @Test
  @DisplayName("a word like no command: 'unknown command' and the list of commands")
  void farFromAny() {
    assertThat(execute("frobnicate")).isEqualTo(125);

    assertThat(err.toString()).startsWith("error: unknown command 'frobnicate'; the commands are: "
        + "list-environments, execute-python, exec-command, execute, repl, sync-environments, doctor, serve, cluster-certs, mcp.");
  }

  @Test
  @DisplayName("an unknown option stays picocli's message")
  void unknownOption() {
    assertThat(execute("--frob")).isEqualTo(125);

    assertThat(err.toString()).startsWith("error: Unknown option: '--frob'");
  }
}
