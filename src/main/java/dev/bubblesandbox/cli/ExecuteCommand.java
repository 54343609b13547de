package dev.bubblesandbox.cli;

import dev.bubblesandbox.sandbox.Program;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code execute -- ARGV...}: runs an argv with no shell. */
@Command(name = "execute", mixinStandardHelpOptions = true,
    description = "Run a command (no shell) inside a sandbox: execute [OPTIONS] -- ARGV...")
public final class ExecuteCommand implements Callable<Integer> {

  @Mixin SandboxOptions options = new SandboxOptions();

  @Parameters(arity = "1..*", paramLabel = "ARGV", description = "The program and its arguments.")
  List<String> argv;

  @Override
  public Integer call() throws InterruptedException {
    return CliExecution.run(options, Program.command(argv), "Running command: " + String.join(" ", argv));
  }
}
