package dev.bubblesandbox.server.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.environment.EnvironmentNotReadyException;
import dev.bubblesandbox.sandbox.InvalidLaunchException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A failure crossing the event bus keeps its code: a real Vert.x event bus, a local consumer. */
@ExtendWith(VertxExtension.class)
class EventBusErrorsTest {

  private static final String ADDRESS = "test.refuse";

  /** Answers each request by failing it with the exception the request names. */
  private static void refuseWith(Vertx vertx, BubbleSandboxException failure) {
    vertx.eventBus().localConsumer(ADDRESS, message -> EventBusErrors.fail(message, failure));
  }

  private static Future<Throwable> ask(Vertx vertx, String address) {
    return vertx.eventBus().request(address, "go")
        .<Throwable>map(reply -> new AssertionError("the request succeeded"))
        .recover(failure -> Future.succeededFuture(EventBusErrors.rebuild(failure)));
  }

  @Test
  @DisplayName("A worker's environment_not_ready arrives as environment_not_ready with its message")
  void domainCodeKept(Vertx vertx, VertxTestContext test) {
    refuseWith(vertx, new EnvironmentNotReadyException("Environment 'x' changed; run: bubble-sandbox sync-environments x"));
    ask(vertx, ADDRESS).onComplete(test.succeeding(failure -> test.verify(() -> {
      assertThat(failure).isInstanceOf(BubbleSandboxException.class);
      BubbleSandboxException known = (BubbleSandboxException) failure;
      assertThat(known.code()).isEqualTo(ErrorCode.ENVIRONMENT_NOT_READY);
      assertThat(known.getMessage()).isEqualTo("Environment 'x' changed; run: bubble-sandbox sync-environments x");
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("An invalid launch arrives as invalid_request, without the host paths of its reason")
  void hostPathsStay(Vertx vertx, VertxTestContext test) {
    refuseWith(vertx, new InvalidLaunchException("Work directory /srv/secret/ws does not exist."));
    ask(vertx, ADDRESS).onComplete(test.succeeding(failure -> test.verify(() -> {
      BubbleSandboxException known = (BubbleSandboxException) failure;
      assertThat(known.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(known.getMessage()).doesNotContain("/srv");
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("Every code crosses the bus as itself")
  void everyCode(Vertx vertx, VertxTestContext test) {
    List<Future<Throwable>> answers = new ArrayList<>();
    for (ErrorCode code : ErrorCode.values()) {
      String address = ADDRESS + "." + code.code();
      vertx.eventBus().localConsumer(address,
          message -> EventBusErrors.fail(message, new RefusedException(code, "because " + code.code())));
      answers.add(ask(vertx, address));
    }
    Future.all(answers).onComplete(test.succeeding(all -> test.verify(() -> {
      for (int i = 0; i < answers.size(); i++) {
        ErrorCode code = ErrorCode.values()[i];
        BubbleSandboxException known = (BubbleSandboxException) answers.get(i).result();
        assertThat(known.code()).isEqualTo(code);
        assertThat(known.getMessage()).isEqualTo("because " + code.code());
      }
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("A failure that carries no code (no consumer, a foreign failure code) is left as it was")
  void foreignFailures(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().localConsumer(ADDRESS, message -> message.fail(-7, "not ours"));
    Future.all(ask(vertx, ADDRESS), ask(vertx, "test.nobody")).onComplete(test.succeeding(all -> test.verify(() -> {
      assertThat(all.<Throwable>resultAt(0)).isInstanceOf(ReplyException.class).hasMessage("not ours");
      assertThat(all.<Throwable>resultAt(1)).isInstanceOf(ReplyException.class);
      test.completeNow();
    })));
  }
}
