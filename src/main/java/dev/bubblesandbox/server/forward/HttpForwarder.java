package dev.bubblesandbox.server.forward;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.cluster.HopTokens;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.cluster.ClusterTls;
import dev.bubblesandbox.cluster.HopTokens;
import dev.bubblesandbox.cluster.Owner;
import dev.bubblesandbox.server.web.BodyDrain;
import dev.bubblesandbox.server.web.TenantScope;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Sends a request on to the node that serves it, over TLS to that node's listener for cluster
 * nodes, with a hop token in {@link HopTokens#HEADER} instead of the client's key (the token names the
 * tenant; the key never leaves this node), so that the other node answers it itself, for that
 * tenant, and it never goes round. Two ways: {@link #proxy} streams a
 * request whose body is still unread both ways (files up and down, no buffering), with
 * vertx-http-proxy; {@link #resend} sends a JSON body already read to one node after another
 * (placement on a node with a free slot). The answer comes back as the other node gave it,
 * error code included; a node that cannot be reached is {@code session_unavailable}.
 */
final class HttpForwarder {

  private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(HttpForwarder.class);

  /**
   * Headers of one connection, not of the request (RFC 9110 §7.6.1), and those re-made here; the
   * client's credentials and browser context, which this node has checked and the owner must not
   * see (a node is trusted with a tenant's sessions, not with its key).
   */
  private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "transfer-encoding", "te",
      "upgrade", "host", "content-length", "expect", "proxy-connection", "trailer", "authorization", "cookie",
      "origin", "sec-websocket-protocol", HopTokens.HEADER.toLowerCase(java.util.Locale.ROOT));

  private final HttpClient client;
  private final HopTokens hops;
  private final Supplier<Duration> idleTimeout;

  /**
   * @param idleTimeout how long a forwarded request may go without a byte either way before the
   *     owner counts as gone: above the longest execution, whose answer comes only at its end
   *     (read at each request: a reloaded configuration may raise the limit)
   */
  HttpForwarder(Vertx vertx, ClusterTls tls, HopTokens hops, Supplier<Duration> idleTimeout) {
    this.client = vertx.createHttpClient(tls.secure(new HttpClientOptions().setConnectTimeout(5_000).setKeepAlive(true)),
        new PoolOptions().setHttp1MaxSize(64));
    this.hops = hops;
    this.idleTimeout = idleTimeout;
  }

  /** The hop token for this request, for its tenant. */
  static String hopToken(RoutingContext routing, HopTokens hops) {
    return hops.issue(TenantScope.of(routing).name(), routing.request().method().name(), routing.request().path());
  }

  static boolean forwarded(RoutingContext routing) {
    return routing.request().getHeader(HopTokens.HEADER) != null;
  }

  /** Streams the request (paused, body unread) to {@code owner} and its answer back. */
  void proxy(RoutingContext routing, Owner.There owner) {
    HttpServerRequest request = routing.request();
    if (BodyDrain.expectsContinue(request)) {
      // This node says go on; the owner gets the body without being asked.
      request.response().writeContinue();
    }
    ProxyRequest proxied = ProxyRequest.reverseProxy(request);
    NOT_FORWARDED.forEach(proxied.headers()::remove);
    proxied.putHeader(HopTokens.HEADER, hopToken(routing, hops));
    client.request(new RequestOptions().setServer(SocketAddress.inetSocketAddress(owner.httpPort(), owner.httpHost()))
            .setIdleTimeout(idleTimeout.get().toMillis()))
        .recover(failure -> {
          logger.warn("cannot reach node", kv("node", owner.name()), kv("error", String.valueOf(failure)));
          return Future.failedFuture(unreachable(owner));
        })
        .compose(proxied::send)
        .compose(ProxyResponse::send)
        .onFailure(failure -> {
          logger.warn("forwarding failed", kv("node", owner.name()), kv("error", String.valueOf(failure)));
          if (!routing.response().headWritten()) {
            routing.fail(failure instanceof RefusedException ? failure : unreachable(owner));
          } else {
            routing.response().reset();
          }
        });
  }

  /**
   * Sends the request with its body (already read) to each target in turn until one answers
   * with anything but {@code capacity_exhausted}, and relays that answer.
   *
   * @return whether an answer was relayed; false when every target was full or unreachable
   */
  Future<Boolean> resend(RoutingContext routing, List<Owner.There> targets) {
    Buffer body = routing.body() == null || routing.body().buffer() == null ? Buffer.buffer() : routing.body().buffer();
    return attempt(routing, body, targets, 0);
  }

  private Future<Boolean> attempt(RoutingContext routing, Buffer body, List<Owner.There> targets, int index) {
    if (index >= targets.size()) {
      return Future.succeededFuture(false);
    }
    Owner.There target = targets.get(index);
    HttpServerRequest request = routing.request();
    RequestOptions options = new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(target.httpPort(), target.httpHost()))
        .setMethod(request.method()).setURI(request.uri()).setHeaders(copy(request.headers()))
        .putHeader(HopTokens.HEADER, hopToken(routing, hops)).setIdleTimeout(idleTimeout.get().toMillis());
    return client.request(options).transform(connected -> {
      if (connected.failed()) { // nothing sent: the next node may take it
        return attempt(routing, body, targets, index + 1);
      }
      // Once sent, a failure is no refusal: the node may have run it, so it is never sent again.
      return connected.result().send(body)
          .compose(response -> response.body().map(answer -> new Answer(response, answer)))
          .recover(failure -> Future.failedFuture(unreachable(target)))
          .compose(answer -> {
            if (answer.fullNode()) {
              return attempt(routing, body, targets, index + 1);
            }
            relay(routing, answer);
            return Future.succeededFuture(true);
          });
    });
  }

  private static void relay(RoutingContext routing, Answer answer) {
    routing.response().setStatusCode(answer.response.statusCode());
    answer.response.headers().forEach((name, value) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        routing.response().headers().add(name, value);
      }
    });
    routing.response().end(answer.body);
  }

  private static MultiMap copy(MultiMap headers) {
    MultiMap copy = MultiMap.caseInsensitiveMultiMap();
    headers.forEach((name, value) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        copy.add(name, value);
      }
    });
    return copy;
  }

  static RefusedException unreachable(Owner.There owner) {
    return new RefusedException(ErrorCode.SESSION_UNAVAILABLE,
        "The node holding this session (" + owner.name() + ") cannot be reached; retry later.");
  }

  /** An answer of another node, read whole (JSON bodies only). */
  private record Answer(HttpClientResponse response, Buffer body) {
    boolean fullNode() {
      if (response.statusCode() != 503) {
        return false;
      }
      try {
        JsonObject error = new JsonObject(body).getJsonObject("error");
        return error != null && ErrorCode.CAPACITY_EXHAUSTED.code().equals(error.getString("code"));
      } catch (RuntimeException e) {
        return false;
      }
    }
  }
}
