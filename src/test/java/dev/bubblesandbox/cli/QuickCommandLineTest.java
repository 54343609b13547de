package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The CLI's fast path parses exactly as picocli does, or leaves the line to picocli. */
class QuickCommandLineTest {

  /** The fields of a parsed command, whichever parser filled it. */
  private static List<Object> fields(Object command) {
    SandboxOptions options;
    Object specific;
    if (command instanceof ServeCommand serve) {
      return java.util.Arrays.asList(command.getClass(), serve.port, serve.config.configFile);
    }
    if (command instanceof ExecutePythonCommand python) {
      options = python.options;
      specific = python.source == null ? null : List.of(String.valueOf(python.source.code),
          String.valueOf(python.source.file));
    } else if (command instanceof ExecCommandCommand shell) {
      options = shell.options;
      specific = shell.words;
    } else {
      ExecuteCommand argv = (ExecuteCommand) command;
      options = argv.options;
      specific = argv.argv;
    }
    return java.util.Arrays.asList(command.getClass(), options.environment, options.workdir,
        options.volumes, options.timeoutSeconds, options.json, options.agentMode,
        options.config.configFile, specific);
  }

  private static Object picocli(String... args) {
    CommandLine.ParseResult result = RootCommand.commandLine().parseArgs(args);
    return result.subcommand().commandSpec().userObject();
  }

  @Test
  @DisplayName("plain run and serve command lines: the fast path fills the same fields as picocli")
  void sameAsPicocli() {
    List<String[]> lines = List.of(
        new String[] {"execute-python", "-a", "-s", "print(1)"},
        new String[] {"execute-python", "-s", "print('hi')"},
        new String[] {"execute-python", "--environment", "bare"},
        new String[] {"execute-python", "--environment=pandas-only", "--script=print(2)", "--json"},
        new String[] {"exec-script", "-f", "job.py", "-e", "pandas-only", "-w", "/srv/work", "-v",
            "in,/srv/in", "--volume", "out,/srv/out,rw", "-t", "12", "--json", "-a", "-c",
            "conf/other.yaml"},
        new String[] {"exec-script", "--file", "job.py", "--agent-mode", "--timeout", "007"},
        new String[] {"execute-python", "--script-file=job.py", "--workdir=/tmp/x", "--config=c.yaml"},
        new String[] {"exec-command", "-e", "bare", "ls -la | wc -l"},
        new String[] {"exec-command", "echo", "hello", "world"},
        new String[] {"exec-command", "echo", "-a", "hello"},
        new String[] {"exec-command", "--", "ls", "-la"},
        new String[] {"execute", "-e", "pandas-only", "--", "python", "-e", "--json"},
        new String[] {"execute", "-w", "/tmp/bar/", "-e", "bare", "--", "ls", "-laF"},
        new String[] {"execute", "ls", "/"},
        new String[] {"serve"},
        new String[] {"serve", "--port", "8080"},
        new String[] {"serve", "--port=0", "-c", "conf/other.yaml"},
        new String[] {"serve", "--config=c.yaml", "--port", "007"});
    for (String[] line : lines) {
      Callable<Integer> quick = QuickCommandLine.parse(line).orElseThrow(
          () -> new AssertionError("not taken by the fast path: " + List.of(line)));
      assertThat(fields(quick)).as(String.join(" ", line)).isEqualTo(fields(picocli(line)));
    }
  }

  @Test
  @DisplayName("-v, -V and --version alone are taken by the fast path")
  void version() {
    for (String flag : List.of("-v", "-V", "--version")) {
      assertThat(QuickCommandLine.parse(new String[] {flag})).as(flag).isPresent();
    }
  }

  @Test
  @DisplayName("help, other commands, odd or wrong lines are left to picocli")
  void leftToPicocli() {
    List<String[]> lines = List.of(
        new String[] {},
        new String[] {"--version", "-h"},
        new String[] {"-v", "list-environments"},
        new String[] {"list-environments", "-a"},
        new String[] {"serve", "-h"},
        new String[] {"serve", "--help"},
        new String[] {"serve", "--port"},
        new String[] {"serve", "--port", "+80"},
        new String[] {"serve", "--port", "eighty"},
        new String[] {"serve", "--port", "1", "--port", "2"},
        new String[] {"serve", "-c", "a.yaml", "--config", "b.yaml"},
        new String[] {"serve", "stray"},
        new String[] {"serve", "-p", "80"},
        new String[] {"execute-python", "-h"},
        new String[] {"execute-python", "--help"},
        new String[] {"execute-python", "-V"},
        new String[] {"execute-python", "-s", "print(1)", "-f", "job.py"},
        new String[] {"execute-python", "-s"},
        new String[] {"execute-python", "-s", "-1"},
        new String[] {"execute-python", "-t", "soon", "-s", "1"},
        new String[] {"execute-python", "-t", "+3", "-s", "1"},
        new String[] {"execute-python", "-e", "bare", "-e", "bare"},
        new String[] {"execute-python", "-a", "-a"},
        new String[] {"execute-python", "-as", "print(1)"},
        new String[] {"execute-python", "-ebare"},
        new String[] {"execute-python", "--json=true"},
        new String[] {"execute-python", "--network"},
        new String[] {"execute-python", "-s", "@pom.xml"},
        new String[] {"exec-command", "cat", "@args"},
        new String[] {"execute-python", "stray"},
        new String[] {"execute-python", "--", "-s"},
        new String[] {"execute", "--"},
        new String[] {"execute", "-e", "bare"},
        new String[] {"exec-command"},
        new String[] {"exec-command", "ls", "-la"});
    for (String[] line : lines) {
      assertThat(QuickCommandLine.parse(line)).as(String.join(" ", line)).isEmpty();
    }
  }

  @Test
  @DisplayName("the fast path knows every option picocli declares for the run commands and serve")
  void optionNamesInStep() {
    Set<String> quick = new HashSet<>(QuickCommandLine.VALUE_OPTIONS);
    quick.addAll(QuickCommandLine.FLAG_OPTIONS);
    for (String command : List.of("execute-python", "exec-command", "execute")) {
      Set<String> declared = new HashSet<>();
      for (OptionSpec option : RootCommand.commandLine().getSubcommands().get(command)
          .getCommandSpec().options()) {
        if (!option.usageHelp() && !option.versionHelp()) {
          declared.addAll(List.of(option.names()));
        }
      }
      Set<String> expected = new HashSet<>(quick);
      if (command.equals("execute-python")) {
        expected.addAll(QuickCommandLine.SOURCE_OPTIONS);
      }
      assertThat(declared).as(command).isEqualTo(expected);
    }
    Set<String> serve = new HashSet<>();
    for (OptionSpec option : RootCommand.commandLine().getSubcommands().get("serve")
        .getCommandSpec().options()) {
      if (!option.usageHelp() && !option.versionHelp()) {
        serve.addAll(List.of(option.names()));
      }
    }
    assertThat(serve).as("serve").isEqualTo(QuickCommandLine.SERVE_OPTIONS);
  }
}
