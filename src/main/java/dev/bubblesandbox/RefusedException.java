package dev.bubblesandbox;

/**
 * A request refused for a reason its code names (e.g. {@code session_busy}, {@code invalid_path});
 * the server maps each code to its HTTP status in one place.
 */
public final class RefusedException extends BubbleSandboxException {

  private final String code;

  public RefusedException(String code, String message) {
    super(message);
    this.code = code;
  }

  @Override
  public String code() {
    return code;
  }
}
