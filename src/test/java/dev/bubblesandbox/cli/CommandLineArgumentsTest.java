package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.sandbox.output.ReturnCode;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Parses command lines without running them. */
class CommandLineArgumentsTest {

  @SuppressWarnings("unchecked")
  private static <T> T parse(String... args) {
    ParseResult result = RootCommand.commandLine().parseArgs(args);
    assertThat(result.hasSubcommand()).isTrue();
    return (T) result.subcommand().commandSpec().userObject();
  }

  @Test
  @DisplayName("execute-python -s takes inline source and defaults to the bare environment")
  void inlineScriptDefaults() {
    ExecutePythonCommand command = parse("execute-python", "-s", "print('hi')");

    assertThat(command.source.code).isEqualTo("print('hi')");
    assertThat(command.source.file).isNull();
    assertThat(command.options.environment).isEqualTo("bare");
    assertThat(command.options.workdir).isNull();
    assertThat(command.options.volumes).isEmpty();
    assertThat(command.options.timeoutSeconds).isNull();
    assertThat(command.options.json).isFalse();
    assertThat(command.options.agentMode).isFalse();
    assertThat(command.options.config.configFile).isNull();
  }

  @Test
  @DisplayName("exec-script is an alias of execute-python and takes every shared option")
  void aliasWithAllOptions() {
    ExecutePythonCommand command = parse("exec-script", "-f", "job.py", "-e", "pandas-only",
        "-w", "/srv/work", "-v", "in,/srv/in", "--volume", "out,/srv/out,rw", "-t", "12",
        "--json", "-a", "-c", "conf/other.yaml");

    assertThat(command.source.file).isEqualTo(Path.of("job.py"));
    assertThat(command.options.environment).isEqualTo("pandas-only");
    assertThat(command.options.workdir).isEqualTo(Path.of("/srv/work"));
    assertThat(command.options.volumes).containsExactly("in,/srv/in", "out,/srv/out,rw");
    assertThat(command.options.timeoutSeconds).isEqualTo(12);
    assertThat(command.options.json).isTrue();
    assertThat(command.options.agentMode).isTrue();
    assertThat(command.options.config.configFile).isEqualTo(Path.of("conf/other.yaml"));
  }

  @Test
  @DisplayName("execute-python without -s or -f leaves the source to stdin")
  void sourceFromStdin() {
    ExecutePythonCommand command = parse("execute-python", "--environment", "bare");

    assertThat(command.source).isNull();
  }

  @Test
  @DisplayName("-s and -f together are refused")
  void scriptAndFileExclusive() {
    assertThatThrownBy(() -> parse("execute-python", "-s", "print(1)", "-f", "job.py"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("mutually exclusive");
  }

  @Test
  @DisplayName("a non-numeric timeout is a usage error")
  void badTimeout() {
    assertThatThrownBy(() -> parse("execute-python", "-t", "soon", "-s", "1"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("soon");
  }

  @Test
  @DisplayName("exec-command takes the shell command line as one or several words")
  void execCommandWords() {
    ExecCommandCommand quoted = parse("exec-command", "-e", "bare", "ls -la | wc -l");
    ExecCommandCommand words = parse("exec-command", "echo", "hello", "world");
    ExecCommandCommand afterSeparator = parse("exec-command", "--", "ls", "-la");

    assertThat(quoted.words).containsExactly("ls -la | wc -l");
    assertThat(quoted.options.environment).isEqualTo("bare");
    assertThat(words.words).containsExactly("echo", "hello", "world");
    assertThat(afterSeparator.words).containsExactly("ls", "-la");
  }

  @Test
  @DisplayName("execute keeps everything after -- as the argv, options included")
  void executeArgv() {
    ExecuteCommand command = parse("execute", "-e", "pandas-only", "--", "python", "-e", "--json");

    assertThat(command.argv).containsExactly("python", "-e", "--json");
    assertThat(command.options.environment).isEqualTo("pandas-only");
    assertThat(command.options.json).isFalse();
  }

  @Test
  @DisplayName("execute without an argv is a usage error")
  void executeWithoutArgv() {
    assertThatThrownBy(() -> parse("execute", "--"))
        .isInstanceOf(CommandLine.ParameterException.class);
  }

  @Test
  @DisplayName("list-environments --json and sync-environments NAME... parse")
  void environmentCommands() {
    ListEnvironmentsCommand list = parse("list-environments", "--json");
    SyncEnvironmentsCommand sync = parse("sync-environments", "bare", "pandas-only");
    SyncEnvironmentsCommand syncAll = parse("sync-environments");

    assertThat(list.json).isTrue();
    assertThat(sync.names).containsExactly("bare", "pandas-only");
    assertThat(syncAll.names).isEmpty();
  }

  @Test
  @DisplayName("an unknown command or option is a usage error")
  void unknownCommandOrOption() {
    assertThatThrownBy(() -> parse("run-python"))
        .isInstanceOf(CommandLine.ParameterException.class);
    assertThatThrownBy(() -> parse("execute-python", "--network"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--network");
  }

  @Test
  @DisplayName("a return code of -N (signal N) becomes exit status 128+N, others stay")
  void exitStatus() {
    assertThat(ReturnCode.toShellStatus(0)).isZero();
    assertThat(ReturnCode.toShellStatus(3)).isEqualTo(3);
    assertThat(ReturnCode.toShellStatus(-9)).isEqualTo(137);
    assertThat(ReturnCode.toShellStatus(-15)).isEqualTo(143);
  }
}
