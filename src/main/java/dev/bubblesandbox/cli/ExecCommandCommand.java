package dev.bubblesandbox.cli;

import dev.bubblesandbox.sandbox.Program;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code exec-command}: runs a shell command line with {@code sh -c}. */
@Command(name = "exec-command", mixinStandardHelpOptions = true,
    description = "Run a shell command line (sh -c) inside a sandbox.")
public final class ExecCommandCommand implements Callable<Integer> {

  @Mixin SandboxOptions options = new SandboxOptions();

  @Parameters(arity = "1..*", paramLabel = "SHELL_COMMAND",
      description = "The command line; several words are joined with spaces.")
  List<String> words;

  @Override
  public Integer call() throws InterruptedException {
    String commandLine = String.join(" ", words);
    return CliExecution.run(options, Program.shell(commandLine),
        "Running shell command: " + commandLine);
  }
}
