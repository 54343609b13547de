package dev.bubblesandbox.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that run a sandbox. */
public final class SandboxOptions {

  /** The environment when none is named (the field starts with it for the fast path too). */
  static final String DEFAULT_ENVIRONMENT = "bare";

  @Mixin ConfigOption config = new ConfigOption();

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", defaultValue = DEFAULT_ENVIRONMENT,
      description = "Environment to run in (default: ${DEFAULT-VALUE}).")
  String environment = DEFAULT_ENVIRONMENT;

  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR",
      description = "Host directory bound read-write at /sandbox/work (default: a scratch tmpfs of "
          + "max_workspace_bytes, gone afterwards). Run as root, it is lent to the sandbox uid and given back "
          + "to its owner afterwards, with what the script created.")
  Path workdir;

  @Option(names = {"-v", "--volume"}, paramLabel = "NAME,HOST_PATH[,rw]",
      description = "Mount HOST_PATH at /sandbox/volumes/NAME, read-only unless ',rw' (lent and given "
          + "back as -w is). Repeatable.")
  List<String> volumes = new ArrayList<>();

  @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS",
      description = "Wall-clock timeout (default: the configured execution_timeout_seconds).")
  Integer timeoutSeconds;

  @Option(names = "--json", description = "Print one JSON object with the result.")
  boolean json;

  @Option(names = {"-a", "--agent-mode"},
      description = "Raw output only, 'Exited with code: N' first when N is not 0.")
  boolean agentMode;
}
