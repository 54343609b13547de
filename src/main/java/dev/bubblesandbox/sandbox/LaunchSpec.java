package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.environment.ReadyEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything one sandboxed execution needs, as plain data.
 *
 * @param executionId names the execution in logs and event-bus addresses
 * @param workDir host directory bound read-write at {@code /sandbox/work}; empty for a scratch
 *     tmpfs of {@link Limits#workspaceBytes()} that is gone with the sandbox
 * @param argv the command run inside, resolved against the sandbox's PATH
 */
public record LaunchSpec(
    String executionId,
    ReadyEnvironment environment,
    Optional<Path> workDir,
    List<Volume> volumes,
    List<String> argv,
    Limits limits) {

  public LaunchSpec {
    volumes = List.copyOf(volumes);
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new InvalidLaunchException("Nothing to run: the command is empty.");
    }
    workDir = workDir.map(dir -> dir.toAbsolutePath().normalize());
  }

  /** A launch with a host work directory. */
  public LaunchSpec(String executionId, ReadyEnvironment environment, Path workDir,
      List<Volume> volumes, List<String> argv, Limits limits) {
    this(executionId, environment, Optional.of(workDir), volumes, argv, limits);
  }

  /** This spec with {@code prefix} run first, the argv its arguments. */
  LaunchSpec withArgvPrefix(List<String> prefix) {
    List<String> prefixed = new java.util.ArrayList<>(prefix);
    prefixed.addAll(argv);
    return new LaunchSpec(executionId, environment, workDir, volumes, prefixed, limits);
  }

  /** The argv that runs Python source given inline. */
  public static List<String> pythonArgv(String source) {
    return List.of("python", "-c", source);
  }

  /** The argv that runs a shell command line. */
  public static List<String> shellArgv(String commandLine) {
    return List.of("sh", "-c", commandLine);
  }
}
