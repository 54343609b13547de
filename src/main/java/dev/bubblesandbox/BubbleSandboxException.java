package dev.bubblesandbox;

/**
 * A failure the user can act on: its message is one clear sentence, shown as is by the CLI and
 * carried in the JSON error body by the server; its {@link ErrorCode} gives the stable code, the
 * HTTP status and the CLI's exit status, wherever the failure travels.
 */
public abstract class BubbleSandboxException extends RuntimeException {

  private final ErrorCode code;

  protected BubbleSandboxException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  protected BubbleSandboxException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public final ErrorCode code() {
    return code;
  }

  /**
   * The message for a client of the server, who is not on this host: the message itself, unless
   * it may name host paths, in which case the code's {@link ErrorCode#defaultMessage()} (the
   * full message then goes to the server's log).
   */
  public String clientMessage() {
    return getMessage();
  }
}
