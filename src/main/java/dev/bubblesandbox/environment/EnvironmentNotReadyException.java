package dev.bubblesandbox.environment;

import dev.bubblesandbox.BubbleSandboxException;

/** An environment whose virtual environment is missing or out of step with its pyproject.toml. */
public final class EnvironmentNotReadyException extends BubbleSandboxException {

  public EnvironmentNotReadyException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "environment_not_ready";
  }
}
