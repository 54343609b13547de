package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.environment.ReadyEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything one sandboxed execution needs, as plain data.
 *
 * @param executionId names the execution in logs and event-bus addresses
 * @param workDir host directory bound read-write at {@code /sandbox/work}; empty for a scratch
 *     tmpfs of {@link ExecutionLimits#workspaceBytes()} that is gone with the sandbox
 * @param program what runs inside
 */
public record LaunchSpec(
    String executionId,
    ReadyEnvironment environment,
    Optional<Path> workDir,
    List<Volume> volumes,
    Program program,
    ExecutionLimits limits) {

  public LaunchSpec {
    volumes = List.copyOf(volumes);
    workDir = workDir.map(dir -> dir.toAbsolutePath().normalize());
  }

  /** A launch with a host work directory. */
  public LaunchSpec(String executionId, ReadyEnvironment environment, Path workDir,
      List<Volume> volumes, Program program, ExecutionLimits limits) {
    this(executionId, environment, Optional.of(workDir), volumes, program, limits);
  }

  /** A launch of an argv that bwrap executes itself ({@link Program#direct}). */
  public LaunchSpec(String executionId, ReadyEnvironment environment, Optional<Path> workDir,
      List<Volume> volumes, List<String> argv, ExecutionLimits limits) {
    this(executionId, environment, workDir, volumes, Program.direct(argv), limits);
  }

  /** A launch of an argv that bwrap executes itself, with a host work directory. */
  public LaunchSpec(String executionId, ReadyEnvironment environment, Path workDir,
      List<Volume> volumes, List<String> argv, ExecutionLimits limits) {
    this(executionId, environment, Optional.of(workDir), volumes, Program.direct(argv), limits);
  }

  /** The argv run inside the sandbox. */
  public List<String> argv() {
    return program.argv();
  }

  /** This spec with {@code prefix} run first, the argv its arguments. */
  LaunchSpec withArgvPrefix(List<String> prefix) {
    List<String> prefixed = new ArrayList<>(prefix);
    prefixed.addAll(program.argv());
    return new LaunchSpec(executionId, environment, workDir, volumes,
        new Program(prefixed, program.source()), limits);
  }
}
