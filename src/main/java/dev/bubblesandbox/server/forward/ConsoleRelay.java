package dev.bubblesandbox.server.forward;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.cluster.ClusterTls;
import dev.bubblesandbox.cluster.HopTokens;
import dev.bubblesandbox.cluster.Owner;
import dev.bubblesandbox.server.web.AccessGuard;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A console opened on a node that does not own the session: this node opens the same console on
 * the owner (marked as forwarded) and relays every message both ways, with back-pressure, so
 * that output arrives live and stdin and kill reach the execution. When the owner closes, its
 * close status and reason pass on; when the owner is lost (its connection drops, or it leaves the
 * cluster), the client's socket is closed with a reason saying so.
 */
final class ConsoleRelay {

  /** WebSocket close status of a lost owner: "going away" (RFC 6455 §7.4.1). */
  private static final short OWNER_LOST = 1001;
  /** Close reasons are at most 123 bytes. */
  private static final String OWNER_LOST_REASON = ErrorCode.SESSION_UNAVAILABLE.code() + ": the session's node went away";

  private final WebSocketClient client;
  private final HopTokens hops;
  /** The relays open now, by the owner's member id. */
  private final Map<String, Set<ServerWebSocket>> open = new ConcurrentHashMap<>();

  ConsoleRelay(Vertx vertx, ClusterTls tls, HopTokens hops) {
    this.client = vertx.createWebSocketClient(tls.secure(new WebSocketClientOptions().setConnectTimeout(5_000)
        .setMaxFrameSize(64 * 1024).setMaxMessageSize(1 << 20)));
    this.hops = hops;
  }

  /** A member left or died: the consoles relayed to it end now, whatever its connection does. */
  void memberLeft(String member) {
    Set<ServerWebSocket> sockets = open.remove(member);
    if (sockets != null) {
      sockets.forEach(socket -> socket.close(OWNER_LOST, OWNER_LOST_REASON));
    }
  }

  void relay(RoutingContext routing, Owner.There owner) {
    relay(routing, List.of(owner));
  }

  /**
   * Opens the console on the first target that accepts it: one that is full (503) passes the
   * request to the next, since the view of the others' free slots may be a second old.
   */
  void relay(RoutingContext routing, List<Owner.There> targets) {
    routing.request().pause();
    connect(routing, targets, 0, routing.vertx().getOrCreateContext());
  }

  private void connect(RoutingContext routing, List<Owner.There> targets, int index, Context context) {
    HttpServerRequest request = routing.request();
    Owner.There owner = targets.get(index);
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(owner.httpHost()).setPort(owner.httpPort()).setURI(request.uri()).setSsl(true)
        // This node checked the Origin and the key: the owner gets neither, only the hop token.
        .setAllowOriginHeader(false)
        .addHeader(HopTokens.HEADER, HttpForwarder.hopToken(routing, hops));
    String protocols = request.getHeader("Sec-WebSocket-Protocol");
    if (protocols != null) {
      options.setSubProtocols(Arrays.stream(protocols.split(",")).map(String::strip)
          .filter(protocol -> !protocol.regionMatches(true, 0, AccessGuard.KEY_SUBPROTOCOL_PREFIX, 0,
              AccessGuard.KEY_SUBPROTOCOL_PREFIX.length()))
          .toList());
    }
    client.connect(options).onComplete(connected -> {
      if (connected.failed()) {
        boolean full = connected.cause() instanceof UpgradeRejectedException rejected && rejected.getStatus() == 503;
        if (full && index + 1 < targets.size()) {
          connect(routing, targets, index + 1, context);
          return;
        }
        request.resume();
        if (connected.cause() instanceof UpgradeRejectedException rejected) {
          // The owner's own answer (404, 401, 503, ...), as it gave it.
          routing.response().setStatusCode(rejected.getStatus());
          rejected.getHeaders().forEach((name, value) -> {
            if (name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Retry-After")) {
              routing.response().putHeader(name, value);
            }
          });
          routing.response().end(rejected.getBody() == null ? Buffer.buffer() : rejected.getBody());
        } else {
          routing.fail(HttpForwarder.unreachable(owner));
        }
        return;
      }
      WebSocket upstream = connected.result();
      // Held until pipe() has its handlers: the owner may speak first (a throwaway's session frame).
      upstream.pause();
      request.toWebSocket().onComplete(upgraded -> {
        if (upgraded.failed()) {
          upstream.close();
          return;
        }
        pipe(context, upgraded.result(), upstream, owner.member());
      });
    });
  }

  private void pipe(Context context, ServerWebSocket downstream, WebSocket upstream, String member) {
    open.computeIfAbsent(member, key -> ConcurrentHashMap.newKeySet()).add(downstream);
    upstream.textMessageHandler(text -> {
      downstream.writeTextMessage(text);
      if (downstream.writeQueueFull()) {
        upstream.pause();
        downstream.drainHandler(drained -> upstream.resume());
      }
    });
    downstream.textMessageHandler(text -> {
      upstream.writeTextMessage(text);
      if (upstream.writeQueueFull()) {
        downstream.pause();
        upstream.drainHandler(drained -> downstream.resume());
      }
    });
    upstream.closeHandler(closed -> context.runOnContext(ignored -> relayClose(member, downstream, upstream)));
    upstream.exceptionHandler(failure -> upstream.close());
    downstream.closeHandler(closed -> {
      forget(member, downstream);
      if (!upstream.isClosed()) {
        upstream.close();
      }
    });
    upstream.resume();
    if (upstream.isClosed()) { // closed before its close handler was set
      relayClose(member, downstream, upstream);
    }
  }

  private void relayClose(String member, ServerWebSocket downstream, WebSocket upstream) {
    forget(member, downstream);
    Short status = upstream.closeStatusCode();
    if (status == null || status == 1006) {
      downstream.close(OWNER_LOST, OWNER_LOST_REASON);
    } else {
      downstream.close(status, upstream.closeReason());
    }
  }

  private void forget(String member, ServerWebSocket socket) {
    Set<ServerWebSocket> sockets = open.get(member);
    if (sockets != null) {
      sockets.remove(socket);
    }
  }
}
