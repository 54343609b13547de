package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;

/**
 * A launch request that cannot be carried out as given: a bad volume, work dir or script. Its
 * message names host paths, so a client of the server gets a plain sentence instead.
 */
public final class InvalidLaunchException extends BubbleSandboxException {

  public InvalidLaunchException(String message) {
    super(ErrorCode.INVALID_REQUEST, message);
  }

  @Override
  public String clientMessage() {
    return "The sandbox cannot be launched as requested; the server log has the details.";
  }
}
