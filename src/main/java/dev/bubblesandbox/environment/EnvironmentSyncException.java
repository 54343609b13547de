package dev.bubblesandbox.environment;

import dev.bubblesandbox.BubbleSandboxException;

/** Creating or updating a virtual environment failed. */
public final class EnvironmentSyncException extends BubbleSandboxException {

  public EnvironmentSyncException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "environment_sync_failed";
  }
}
