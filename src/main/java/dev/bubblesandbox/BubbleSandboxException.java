package dev.bubblesandbox;

/**
 * A failure the user can act on: its message is one clear sentence, shown as is by the CLI and
 * carried in the JSON error body by the server; {@link #code()} is the stable snake_case code.
 */
public abstract class BubbleSandboxException extends RuntimeException {

  protected BubbleSandboxException(String message) {
    super(message);
  }

  protected BubbleSandboxException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The stable, machine-readable code of this failure, e.g. {@code unknown_environment}. */
  public abstract String code();
}
