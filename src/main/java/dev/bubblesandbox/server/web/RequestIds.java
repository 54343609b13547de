package dev.bubblesandbox.server.web;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is a sane token, else a
 * new one. It goes back in the response header and in error bodies, and every log line written
 * while the request is handled carries it ({@link RequestIdLogging}), so a client's report finds
 * its log lines.
 */
public final class RequestIds {

  static final String HEADER = "X-Request-Id";
  /** What an incoming id may be: anything else (log injection, unbounded length) is replaced. */
  static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private static final String ROUTING_KEY = "request_id";
  /** The key in the request's own (duplicated) context, which its callbacks run on. */
  private static final Object CONTEXT_KEY = RequestIds.class;

  private RequestIds() {}

  /** The router's first handler. */
  public static void handle(RoutingContext routing) {
    String incoming = routing.request().getHeader(HEADER);
    String id = incoming != null && VALID.matcher(incoming).matches() ? incoming : newId();
    routing.put(ROUTING_KEY, id);
    routing.response().putHeader(HEADER, id);
    // Vert.x handles each request, and completes the futures it starts, on a duplicate of the
    // event loop's context of its own: only there is the id this request's and no other's.
    if (Vertx.currentContext() instanceof ContextInternal context && context.isDuplicate()) {
      context.getLocal(ContextInternal.LOCAL_MAP, ConcurrentHashMap::new).put(CONTEXT_KEY, id);
    }
    routing.next();
  }

  /** The id of the request {@code routing} handles; null before {@link #handle} ran. */
  static String of(RoutingContext routing) {
    return routing.get(ROUTING_KEY);
  }

  /** The id of the request whose handling runs on this thread now, or null. */
  static String current() {
    if (!(Vertx.currentContext() instanceof ContextInternal context) || !context.isDuplicate()) {
      return null;
    }
    Map<Object, Object> locals = context.getLocal(ContextInternal.LOCAL_MAP);
    return locals == null ? null : (String) locals.get(CONTEXT_KEY);
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }
}
