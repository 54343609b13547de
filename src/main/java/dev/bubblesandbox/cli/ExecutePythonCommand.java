package dev.bubblesandbox.cli;

import dev.bubblesandbox.sandbox.InvalidLaunchException;
import dev.bubblesandbox.sandbox.Program;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code execute-python}: runs Python source given inline, from a file or from stdin. */
@Command(name = "execute-python", aliases = "exec-script", mixinStandardHelpOptions = true,
    description = "Run Python source inside a sandbox: inline (-s), from a file (-f) or from stdin.")
public final class ExecutePythonCommand implements Callable<Integer> {

  @Mixin SandboxOptions options = new SandboxOptions();

  @ArgGroup(exclusive = true)
  Source source;

  static final class Source {
    @Option(names = {"-s", "--script"}, paramLabel = "CODE", description = "Python source.")
    String code;

    @Option(names = {"-f", "--script-file", "--file"}, paramLabel = "FILE",
        description = "File of Python source.")
    Path file;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    String code;
    String title;
    if (source != null && source.code != null) {
      code = source.code;
      title = "Running script: '" + code.strip().lines().findFirst().orElse("") + "'";
    } else if (source != null && source.file != null) {
      if (!Files.isRegularFile(source.file)) {
        throw new InvalidLaunchException("Script file " + source.file + " does not exist.");
      }
      code = Files.readString(source.file, StandardCharsets.UTF_8);
      title = "Running script: @" + source.file;
    } else {
      code = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
      title = "Running script: @<stdin>";
    }
    return CliExecution.run(options, Program.python(code), title);
  }
}
