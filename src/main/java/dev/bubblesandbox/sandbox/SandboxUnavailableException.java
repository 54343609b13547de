package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.BubbleSandboxException;

/** The host cannot run sandboxes: bwrap or setpriv missing, or bwrap failed to start. */
public final class SandboxUnavailableException extends BubbleSandboxException {

  public SandboxUnavailableException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "sandbox_unavailable";
  }
}
