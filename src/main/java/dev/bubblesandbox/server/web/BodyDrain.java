package dev.bubblesandbox.server.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * Settles a request body that the answer came before (a refused upload, mostly). HTTP/1.1
 * clients such as python {@code requests}, {@code httpx} and {@code http.client} read nothing
 * until they have sent the whole body: a request left paused, or unread, blocks them until the
 * idle timeout, and a connection closed under their writes fails them with a broken pipe before
 * they read the answer. So once the answer is written, the rest of the body is read and dropped.
 *
 * <p>A small body (up to {@link #KEEP_ALIVE_DRAIN_BYTES}, and no more than an accepted upload)
 * is drained and the connection then serves the next request. Past that, for a body of unknown
 * length, and for a client that waits for {@code 100 Continue} it was never sent, the answer says
 * {@code Connection: close}, and the server lingers as nginx does ({@code lingering_close}): it
 * reads and drops until the body ends, the client goes quiet for {@link #LINGER_IDLE_SECONDS},
 * {@link #LINGER_TOTAL_SECONDS} have passed, or the body passes a byte ceiling far above {@code
 * max_upload_size_bytes}, and only then closes. Time, not bytes, is what bounds a client that
 * writes a body it was refused; the ceiling only stops a fast one from streaming forever. The
 * server speaks HTTP/1.x only (see {@code ApiVerticle}).
 *
 * <p>The answer goes out first, before the rest of the body is read: a client that reads while
 * it sends (curl, browsers) learns of the refusal at once and can stop sending, and one that
 * reads only afterwards finds it waiting.
 *
 * <p>A handler that refuses a body it has begun to read pauses the request first (see {@code
 * FileHandlers}): whether the body was still unread when the answer's head is written then does
 * not depend on how much more arrived while the refusal was on its way.
 */
public final class BodyDrain {

  /**
   * Refused bodies up to this size (or {@code max_upload_size_bytes}, if smaller) are drained and
   * the connection kept: a refused body the size of an accepted upload costs no more than
   * accepting it would have. Past it, {@code Connection: close} and a lingering close.
   */
  public static final long KEEP_ALIVE_DRAIN_BYTES = 4L << 20;
  /** The smallest byte ceiling of a lingering close, whatever {@code max_upload_size_bytes} says. */
  static final long MIN_LINGER_CEILING_BYTES = 64L << 20;
  /** A lingering close ends this long after the answer at the latest (nginx's {@code lingering_time}). */
  static final long LINGER_TOTAL_SECONDS = 30;
  /** A lingering close ends once the client has sent nothing for this long (nginx's {@code lingering_timeout}). */
  public static final long LINGER_IDLE_SECONDS = 5;

  private static final long UNKNOWN = -1;
  private static final long CHECK_MILLIS = 500;

  private final long keepAliveBound;
  private final long lingerCeiling;

  public BodyDrain(long maxUploadSizeBytes) {
    this.keepAliveBound = Math.min(maxUploadSizeBytes, KEEP_ALIVE_DRAIN_BYTES);
    this.lingerCeiling = lingerCeiling(maxUploadSizeBytes);
  }

  /** Four times the largest upload, and never less than {@link #MIN_LINGER_CEILING_BYTES}. */
  public static long lingerCeiling(long maxUploadSizeBytes) {
    long fourTimes = maxUploadSizeBytes > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : maxUploadSizeBytes * 4;
    return Math.max(fourTimes, MIN_LINGER_CEILING_BYTES);
  }

  /** First route handler: watches every request whose body is still to come. */
  public void handle(RoutingContext routing) {
    if (remaining(routing.request()) != 0) {
      Settlement settlement = new Settlement(routing.vertx(), routing.request());
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

    private final Vertx vertx;
    private final HttpServerRequest request;
    private boolean unread;
    private boolean awaitingContinue;
    private boolean close;
    private boolean stopped;
    private long timer = -1;

    Settlement(Vertx vertx, HttpServerRequest request) {
      this.vertx = vertx;
      this.request = request;
    }

    void decide(RoutingContext routing) {
      unread = !request.isEnded();
      if (!unread) {
        return;
      }
      long remaining = remaining(request);
      awaitingContinue = expectsContinue(request) && request.bytesRead() == 0;
      close = awaitingContinue || remaining == UNKNOWN || remaining > keepAliveBound;
      if (close) {
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
      long bound = close ? lingerCeiling : keepAliveBound;
      long[] dropped = {0};
      long[] lastRead = {System.nanoTime()};
      if (close) {
        long deadline = lastRead[0] + TimeUnit.SECONDS.toNanos(LINGER_TOTAL_SECONDS);
        long idle = TimeUnit.SECONDS.toNanos(LINGER_IDLE_SECONDS);
        timer = vertx.setPeriodic(CHECK_MILLIS, tick -> {
          long now = System.nanoTime();
          if (now - deadline >= 0 || now - lastRead[0] >= idle) {
            stop();
          }
        });
      }
      request.handler(buffer -> {
        lastRead[0] = System.nanoTime();
        dropped[0] += buffer.length();
        if (dropped[0] > bound) {
          request.handler(null);
          stop();
        }
      });
      request.endHandler(end -> {
        cancelTimer();
        if (close) {
          stop();
        }
      });
      // The client may give up and close first; there is nothing left to tell it.
      request.exceptionHandler(gone -> cancelTimer());
      request.resume();
    }

    private void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    /** Ends the exchange: closes the connection. */
    private void stop() {
      cancelTimer();
      if (stopped) {
        return;
      }
      stopped = true;
      request.connection().close();
    }
  }

  /**
   * Body bytes still to come: {@link #UNKNOWN} for a chunked HTTP/1.1 body; none for an HTTP/1.x request with neither length nor chunking (RFC 9112
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
    return chunked ? UNKNOWN : 0;
  }

  /** Whether the client asked to be told before it sends its body (RFC 9110 §10.1.1). */
  public static boolean expectsContinue(HttpServerRequest request) {
    return request.version() != HttpVersion.HTTP_1_0
        && HttpHeaders.CONTINUE.toString().equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
  }
}
