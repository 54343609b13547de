package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.BubbleSandboxException;

/** A launch request that cannot be carried out as given: a bad volume, work dir or script. */
public final class InvalidLaunchException extends BubbleSandboxException {

  public InvalidLaunchException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "invalid_request";
  }
}
