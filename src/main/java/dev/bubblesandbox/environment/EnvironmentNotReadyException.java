package dev.bubblesandbox.environment;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;

/** An environment whose virtual environment is missing or out of step with its pyproject.toml. */
public final class EnvironmentNotReadyException extends BubbleSandboxException {

  public EnvironmentNotReadyException(String message) {
    super(ErrorCode.ENVIRONMENT_NOT_READY, message);
  }
}
