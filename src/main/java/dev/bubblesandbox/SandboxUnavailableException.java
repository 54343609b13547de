package dev.bubblesandbox;


/**
 * The host cannot run sandboxes: bwrap or setpriv missing, or bwrap failed to start. Its message
 * names host paths and programs, so a client of the server gets the code's plain sentence.
 */
public final class SandboxUnavailableException extends BubbleSandboxException {

  public SandboxUnavailableException(String message) {
    super(ErrorCode.SANDBOX_UNAVAILABLE, message);
  }

  @Override
  public String clientMessage() {
    return code().defaultMessage();
  }
}
