package dev.bubblesandbox.environment;

import dev.bubblesandbox.BubbleSandboxException;

/** An environment name that could resolve outside the environments directory, or is not one. */
public final class InvalidEnvironmentNameException extends BubbleSandboxException {

  public InvalidEnvironmentNameException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "invalid_environment_name";
  }
}
