package dev.bubblesandbox.environment;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;

/** An environment name that could resolve outside the environments directory, or is not one. */
public final class InvalidEnvironmentNameException extends BubbleSandboxException {

  public InvalidEnvironmentNameException(String message) {
    super(ErrorCode.INVALID_ENVIRONMENT_NAME, message);
  }
}
