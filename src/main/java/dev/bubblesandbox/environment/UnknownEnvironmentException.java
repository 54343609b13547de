package dev.bubblesandbox.environment;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;

/** No environment of that name exists in the environments directory. */
public final class UnknownEnvironmentException extends BubbleSandboxException {

  public UnknownEnvironmentException(String message) {
    super(ErrorCode.UNKNOWN_ENVIRONMENT, message);
  }
}
