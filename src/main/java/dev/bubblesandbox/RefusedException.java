package dev.bubblesandbox;

/**
 * A failure its code names (e.g. {@code invalid_path}, {@code capacity_exhausted}) with no
 * class of its own; also what an {@link ErrorCode} that crossed the event bus is rebuilt as.
 */
public final class RefusedException extends BubbleSandboxException {

  public RefusedException(ErrorCode code, String message) {
    super(code, message);
  }
}
