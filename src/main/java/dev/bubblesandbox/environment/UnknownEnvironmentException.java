package dev.bubblesandbox.environment;

import dev.bubblesandbox.BubbleSandboxException;

/** No environment of that name exists in the environments directory. */
public final class UnknownEnvironmentException extends BubbleSandboxException {

  public UnknownEnvironmentException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "unknown_environment";
  }
}
