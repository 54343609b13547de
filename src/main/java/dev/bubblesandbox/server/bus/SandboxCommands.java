package dev.bubblesandbox.server.bus;

/**
 * What the API asks of a running execution, on its control address; the worker answers each
 * (see {@link WorkerExecution}). The reports going the other way are {@link SandboxEvents}.
 */
public final class SandboxCommands {

  private SandboxCommands() {}

  /**
   * Start {@code spec}, to {@link Addresses#LAUNCH}: with the request's stdin, written once the
   * process runs, and closed after it unless the execution is interactive. Carried here, not
   * sent after the start, it costs no event-bus round trips.
   */
  public record Launch(dev.bubblesandbox.sandbox.LaunchSpec spec, String stdin, boolean closeStdin) {}

  /** Text for the process's stdin. */
  record Stdin(String data) {}

  /** Close the process's stdin. */
  record StdinEof() {}

  /** Kill the execution. */
  record Kill() {}
}
