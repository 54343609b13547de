package dev.bubblesandbox.server.bus;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.Optional;

/**
 * How a failure keeps its {@link ErrorCode} across the event bus: the answering side fails the
 * request with the code's {@link ErrorCode#failureCode()} and the message a client may read; the
 * asking side rebuilds an exception with that code, so that an invalid launch stays
 * {@code invalid_request} and does not become {@code sandbox_unavailable} on the way.
 */
public final class EventBusErrors {

  private EventBusErrors() {}

  /** Fails {@code request} with {@code failure}'s code and its client message. */
  public static void fail(Message<?> request, BubbleSandboxException failure) {
    fail(request, failure.code(), failure.clientMessage());
  }

  public static void fail(Message<?> request, ErrorCode code, String clientMessage) {
    request.fail(code.failureCode(), clientMessage);
  }

  /**
   * The failure of a request as the answering side raised it, when it was failed by
   * {@link #fail}; otherwise (no handler, a timeout, a failure code of another kind) unchanged.
   */
  static Throwable rebuild(Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      Optional<ErrorCode> code = ErrorCode.ofFailureCode(reply.failureCode());
      if (code.isPresent()) {
        return new RefusedException(code.get(), reply.getMessage());
      }
    }
    return failure;
  }
}
