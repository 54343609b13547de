package dev.bubblesandbox.server;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Settles a request body that the answer came before (a refused upload, mostly). HTTP/1.1
 * clients such as python {@code requests} and {@code httpx} read nothing until they have sent
 * the whole body: a request left paused, or unread, blocks them until the idle timeout. So once
 * the answer is written, the rest of the body is read and dropped, up to a bound; the connection
 * then serves the next request. Past the bound, for a body of unknown length, and for a client
 * that waits for {@code 100 Continue} it was never sent, the answer says {@code Connection:
 * close} and the server closes the connection once the answer is written: the client reads the
 * answer, whether or not its writes fail (urllib3, httpcore and curl all do so). Over HTTP/2 an
 * unread stream holds the connection's flow-control window, so the same drain applies; past the
 * bound the stream, not the connection, is ended.
 *
 * <p>The answer goes out first, before the rest of the body is read: a client that reads while
 * it sends (curl, browsers) learns of the refusal at once and can stop sending, and one that
 * reads only afterwards finds it waiting.
 *
 * <p>A handler that refuses a body it has begun to read pauses the request first (see {@code
 * FileHandlers}): whether the body was still unread when the answer's head is written then does
 * not depend on how much more arrived while the refusal was on its way.
 */
final class BodyDrain {

  /**
   * At most this much of a refused body is read and dropped after the answer. Reading costs the
   * server bandwidth only (nothing is kept), keeps the connection for the client's next request,
   * and avoids closing a socket with unread data, which resets it and can destroy the answer in
   * flight. The bound is the smaller of {@code max_upload_size_bytes} (a refused body the size of
   * an accepted upload costs no more than accepting it would have) and a few MiB, so that a large
   * limit (say 1 GiB) does not let each refused request stream that much into the void; past the
   * bound closing is cheaper than reading, and the answer is already out.
   */
  static final long MAX_DRAIN_BYTES = 4L << 20;

  private static final long UNKNOWN = -1;
  /** HTTP/2 error code: the stream ends without an error (RFC 9113 §7). */
  private static final long NO_ERROR = 0;

  private final long bound;

  BodyDrain(long maxUploadSizeBytes) {
    this.bound = Math.min(maxUploadSizeBytes, MAX_DRAIN_BYTES);
  }

  /** First route handler: watches every request whose body is still to come. */
  void handle(RoutingContext routing) {
    if (remaining(routing.request()) != 0) {
      Settlement settlement = new Settlement(routing.request());
      routing.addHeadersEndHandler(head -> settlement.decide(routing));
      routing.addEndHandler(answered -> {
        if (answered.succeeded()) {
          settlement.carryOut();
        }
      });
    }
    routing.next();
  }

  /** What becomes of one request's unread body, decided as the head of its answer is written. */
  private final class Settlement {

    private final HttpServerRequest request;
    private boolean unread;
    private boolean awaitingContinue;
    private boolean close;

    Settlement(HttpServerRequest request) {
      this.request = request;
    }

    void decide(RoutingContext routing) {
      unread = !request.isEnded();
      if (!unread) {
        return;
      }
      long remaining = remaining(request);
      awaitingContinue = expectsContinue(request) && request.bytesRead() == 0;
      close = awaitingContinue || remaining == UNKNOWN || remaining > bound;
      if (close && request.version() != HttpVersion.HTTP_2) {
        routing.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
    }

    /** Once the answer is queued: reading it must not close the connection under the answer. */
    void carryOut() {
      if (!unread) {
        return;
      }
      if (awaitingContinue || request.isEnded()) {
        // A client told no 100 Continue sends no body: waiting for one would hold the connection.
        if (close) {
          stop();
        }
        return;
      }
      long[] dropped = {0};
      request.handler(buffer -> {
        dropped[0] += buffer.length();
        if (dropped[0] > bound) {
          request.handler(null);
          stop();
        }
      });
      request.endHandler(end -> {
        if (close) {
          stop();
        }
      });
      // The client may give up and close first; there is nothing left to tell it.
      request.exceptionHandler(gone -> { });
      request.resume();
    }

    /**
     * Ends the exchange: HTTP/1.x closes the connection; HTTP/2 asks the client to stop sending
     * with {@code RST_STREAM NO_ERROR} after the complete answer (RFC 9113 §8.1), and the other
     * streams of the connection go on.
     */
    private void stop() {
      if (request.version() == HttpVersion.HTTP_2) {
        if (!request.isEnded()) {
          request.response().reset(NO_ERROR);
        }
      } else {
        request.connection().close();
      }
    }
  }

  /**
   * Body bytes still to come: {@link #UNKNOWN} for a chunked HTTP/1.1 body or an HTTP/2 one
   * without a length; none for an HTTP/1.x request with neither length nor chunking (RFC 9112
   * §6.3).
   */
  private static long remaining(HttpServerRequest request) {
    if (request.isEnded()) {
      return 0;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      try {
        return Math.max(0, Long.parseLong(length.trim()) - request.bytesRead());
      } catch (NumberFormatException e) {
        return UNKNOWN;
      }
    }
    boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    return chunked || request.version() == HttpVersion.HTTP_2 ? UNKNOWN : 0;
  }

  /** Whether the client asked to be told before it sends its body (RFC 9110 §10.1.1). */
  static boolean expectsContinue(HttpServerRequest request) {
    return request.version() != HttpVersion.HTTP_1_0
        && HttpHeaders.CONTINUE.toString().equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
  }
}
