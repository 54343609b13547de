package dev.bubblesandbox.server.bus;

/** Event-bus addresses, all in one place. */
public final class Addresses {

  /** Request: a {@code LaunchSpec}; reply: empty once bwrap runs. */
  public static final String LAUNCH = "sandbox.launch";

  /** Send: a new session's {@code LaunchSpec}, for the workers to start its warm sandbox. */
  public static final String KEEP_WARM = "sandbox.keep-warm";

  private Addresses() {}

  /** Where an execution's {@link SandboxEvents.Output} chunks and its {@link SandboxEvents.Ended} go. */
  public static String output(String executionId) {
    return "sandbox.output." + executionId;
  }

  /** Where stdin and kill requests for a running execution go. */
  public static String control(String executionId) {
    return "sandbox.control." + executionId;
  }
}
