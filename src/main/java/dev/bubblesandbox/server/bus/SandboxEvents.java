package dev.bubblesandbox.server.bus;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;

/**
 * What a sandbox worker reports about an execution to the API, on the execution's output address;
 * the commands going the other way are {@link SandboxCommands}. They never leave this JVM.
 */
public final class SandboxEvents {

  private SandboxEvents() {}

  /** A chunk of output, as produced. */
  public record Output(OutputListener.Stream stream, String text) {}

  /** The end of an execution; {@code killed} when a kill request ended it. */
  public record Ended(ExecutionResult result, boolean killed) {}

  /**
   * The execution failed; the sandbox is gone. {@code code} names a known failure (the sandbox
   * could not be started), null an unexpected one of the watcher.
   */
  public record Failed(ErrorCode code, String message) {}
}
