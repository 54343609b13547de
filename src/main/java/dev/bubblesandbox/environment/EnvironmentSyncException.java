package dev.bubblesandbox.environment;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;

/** Creating or updating a virtual environment failed. */
public final class EnvironmentSyncException extends BubbleSandboxException {

  public EnvironmentSyncException(String message) {
    super(ErrorCode.ENVIRONMENT_SYNC_FAILED, message);
  }
}
