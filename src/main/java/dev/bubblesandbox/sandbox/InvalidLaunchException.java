package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;

/**
 * A launch request that cannot be carried out as given: a bad volume, work dir or script. Its
 * message may name host paths, so a client of the server gets a plain sentence instead, unless
 * it was made by {@link #namingNoHostPath}.
 */
public final class InvalidLaunchException extends BubbleSandboxException {

  private final boolean namesHostPaths;

  public InvalidLaunchException(String message) {
    this(message, true);
  }

  private InvalidLaunchException(String message, boolean namesHostPaths) {
    super(ErrorCode.INVALID_REQUEST, message);
    this.namesHostPaths = namesHostPaths;
  }

  /** A refusal whose message is only about what the client sent: the client sees it as it is. */
  public static InvalidLaunchException namingNoHostPath(String message) {
    return new InvalidLaunchException(message, false);
  }

  @Override
  public String clientMessage() {
    return namesHostPaths ? "The sandbox cannot be launched as requested; the server log has the details."
        : getMessage();
  }
}
