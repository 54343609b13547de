package dev.bubblesandbox.server;

/**
 * What the API asks of a running execution, on its control address; the worker answers each
 * (see {@link WorkerExecution}). The reports going the other way are {@link SandboxEvents}.
 */
final class SandboxCommands {

  private SandboxCommands() {}

  /** Text for the process's stdin. */
  record Stdin(String data) {}

  /** Close the process's stdin. */
  record StdinEof() {}

  /** Kill the execution. */
  record Kill() {}
}
