package dev.bubblesandbox.server.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MCP SDK's Streamable HTTP transport (MCP 2025-06-18) on Vert.x's router: POST carries
 * JSON-RPC messages (a request is answered with JSON or an SSE stream, {@link ResponseStream}),
 * GET opens a session's notification stream, DELETE ends the session. The SDK's sessions, their
 * JSON-RPC dispatch and the tools run as Reactor Monos that are subscribed to here, never waited
 * for: the event loop only parses, subscribes and writes.
 *
 * <p>Authentication and the Origin check happen before these handlers (the API's AccessGuard);
 * the caller's {@code Authorization} header goes into the transport context for the tools, which
 * call the API with it, and nowhere else.
 */
final class McpTransport implements McpStreamableServerTransportProvider {

  static final String SESSION_HEADER = "Mcp-Session-Id";
  private static final Logger logger = LoggerFactory.getLogger(McpTransport.class);
  private static final TypeRef<McpSchema.InitializeRequest> INITIALIZE = new TypeRef<>() {};
  /** MCP's cancellation notification, which the SDK's server does not handle. */
  private static final String CANCELLED = "notifications/cancelled";

  private final McpJsonMapper mapper;
  private final Cancellations cancellations;
  private final Map<String, McpStreamableServerSession> sessions = new ConcurrentHashMap<>();
  /** When each session was last used (nanoTime): one unused for {@link #idle} is ended. */
  private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
  private final Duration idle;
  private volatile McpStreamableServerSession.Factory factory;
  private volatile boolean closing;

  /** @param idle how long an MCP session may go unused before it is ended (clients re-initialize) */
  McpTransport(McpJsonMapper mapper, Cancellations cancellations, Duration idle) {
    this.mapper = mapper;
    this.cancellations = cancellations;
    this.idle = idle;
  }

  @Override
  public void setSessionFactory(McpStreamableServerSession.Factory sessionFactory) {
    this.factory = sessionFactory;
  }

  /** Whether the MCP session asked for debug log messages ({@code logging/setLevel debug}). */
  boolean wantsDebugLog(String sessionId) {
    McpStreamableServerSession session = sessionId == null ? null : sessions.get(sessionId);
    return session != null && session.isNotificationForLevelAllowed(McpSchema.LoggingLevel.DEBUG);
  }

  @Override
  public Mono<Void> notifyClients(String method, Object params) {
    return Flux.fromIterable(sessions.values())
        .flatMap(session -> session.sendNotification(method, params).onErrorResume(failure -> Mono.empty()))
        .then();
  }

  @Override
  public Mono<Void> notifyClient(String sessionId, String method, Object params) {
    McpStreamableServerSession session = sessions.get(sessionId);
    return session == null ? Mono.empty() : session.sendNotification(method, params);
  }

  @Override
  public Mono<Void> closeGracefully() {
    closing = true;
    return Flux.fromIterable(sessions.values())
        .flatMap(session -> session.closeGracefully().onErrorResume(failure -> Mono.empty()))
        .then(Mono.fromRunnable(sessions::clear));
  }

  /** POST: one JSON-RPC message (JSON-RPC batches are not part of MCP 2025-06-18). */
  void post(RoutingContext routing) {
    if (closing) {
      error(routing.response(), 503, McpSchema.ErrorCodes.INTERNAL_ERROR, "The server is shutting down.");
      return;
    }
    McpSchema.JSONRPCMessage message;
    try {
      message = McpSchema.deserializeJsonRpcMessage(mapper, routing.body().asString());
    } catch (IOException | RuntimeException e) {
      error(routing.response(), 400, McpSchema.ErrorCodes.PARSE_ERROR, "Not a JSON-RPC message.");
      return;
    }
    Map<String, Object> context = new HashMap<>();
    String authorization = routing.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null) {
      context.put(SandboxTools.AUTHORIZATION, authorization);
    }
    if (message instanceof McpSchema.JSONRPCRequest request && McpSchema.METHOD_INITIALIZE.equals(request.method())) {
      initialize(routing, request, context);
      return;
    }
    McpStreamableServerSession session = session(routing);
    if (session == null) {
      return;
    }
    Context vertx = routing.vertx().getOrCreateContext();
    HttpServerResponse response = routing.response();
    if (message instanceof McpSchema.JSONRPCRequest request) {
      context.put(SandboxTools.REQUEST_ID, request.id());
      ResponseStream stream = new ResponseStream(response, vertx, mapper, false);
      session.responseStream(stream).handle(request)
          .contextWrite(reactor -> reactor.put(McpTransportContext.KEY, McpTransportContext.create(context)))
          .subscribe(null, failure -> {
            logger.warn("MCP request failed", failure);
            stream.close();
          });
      return;
    }
    if (message instanceof McpSchema.JSONRPCNotification notification
        && CANCELLED.equals(notification.method())) {
      // The SDK has no handler for it: the call it names is stopped here.
      if (notification.params() instanceof Map<?, ?> params && params.get("requestId") != null) {
        cancellations.cancel(session.getId(), params.get("requestId"));
      }
      response.setStatusCode(202).end();
      return;
    }
    Mono<Void> accepted = message instanceof McpSchema.JSONRPCNotification notification ? session.accept(notification)
        : session.accept((McpSchema.JSONRPCResponse) message);
    accepted.contextWrite(reactor -> reactor.put(McpTransportContext.KEY, McpTransportContext.create(context)))
        .subscribe(null,
            failure -> vertx.runOnContext(ignored -> error(response, 500, McpSchema.ErrorCodes.INTERNAL_ERROR,
                "The message could not be handled.")),
            () -> vertx.runOnContext(ignored -> {
              if (!response.ended()) {
                response.setStatusCode(202).end();
              }
            }));
  }

  private void initialize(RoutingContext routing, McpSchema.JSONRPCRequest request, Map<String, Object> context) {
    McpSchema.InitializeRequest initialize;
    try {
      initialize = mapper.convertValue(request.params(), INITIALIZE);
    } catch (RuntimeException e) {
      error(routing.response(), 400, McpSchema.ErrorCodes.INVALID_PARAMS, "Invalid initialize parameters.");
      return;
    }
    endIdle();
    McpStreamableServerSession.McpStreamableServerSessionInit init;
    try {
      init = factory.startSession(initialize);
    } catch (RuntimeException e) {
      error(routing.response(), 400, McpSchema.ErrorCodes.INVALID_PARAMS, "Invalid initialize parameters.");
      return;
    }
    sessions.put(init.session().getId(), init.session());
    lastUsed.put(init.session().getId(), System.nanoTime());
    Context vertx = routing.vertx().getOrCreateContext();
    HttpServerResponse response = routing.response();
    init.initResult()
        .contextWrite(reactor -> reactor.put(McpTransportContext.KEY, McpTransportContext.create(context)))
        .subscribe(result -> vertx.runOnContext(ignored -> {
          try {
            response.putHeader(SESSION_HEADER, init.session().getId())
                .putHeader("Content-Type", "application/json")
                .end(mapper.writeValueAsString(McpSchema.JSONRPCResponse.result(request.id(), result)));
          } catch (IOException e) {
            error(response, 500, McpSchema.ErrorCodes.INTERNAL_ERROR, "The answer could not be written.");
          }
        }), failure -> vertx.runOnContext(ignored -> {
          sessions.remove(init.session().getId());
          error(response, 500, McpSchema.ErrorCodes.INTERNAL_ERROR, "The session could not be started.");
        }));
  }

  /** GET: the session's stream of notifications that belong to no request. */
  void get(RoutingContext routing) {
    String accept = routing.request().getHeader(HttpHeaders.ACCEPT);
    if (accept == null || !accept.contains("text/event-stream")) {
      error(routing.response(), 406, McpSchema.ErrorCodes.INVALID_REQUEST, "Accept text/event-stream to open the stream.");
      return;
    }
    McpStreamableServerSession session = session(routing);
    if (session == null) {
      return;
    }
    ResponseStream stream = new ResponseStream(routing.response(), routing.vertx().getOrCreateContext(), mapper, true);
    McpStreamableServerSession.McpStreamableServerSessionStream listening = session.listeningStream(stream);
    stream.onClose(listening::close);
  }

  /** DELETE: ends the MCP session (the sandbox sessions it made stay: they are the API's). */
  void delete(RoutingContext routing) {
    McpStreamableServerSession session = session(routing);
    if (session == null) {
      return;
    }
    Context vertx = routing.vertx().getOrCreateContext();
    HttpServerResponse response = routing.response();
    sessions.remove(session.getId());
    lastUsed.remove(session.getId());
    session.delete().subscribe(null, failure -> {
      logger.warn("MCP session did not close cleanly", failure);
      vertx.runOnContext(ignored -> response.setStatusCode(204).end());
    }, () -> vertx.runOnContext(ignored -> response.setStatusCode(204).end()));
  }

  /** The session the request names; null once it has been answered 400 or 404. */
  private McpStreamableServerSession session(RoutingContext routing) {
    String id = routing.request().getHeader(SESSION_HEADER);
    if (id == null || id.isBlank()) {
      error(routing.response(), 400, McpSchema.ErrorCodes.INVALID_REQUEST, "Mcp-Session-Id is required after initialize.");
      return null;
    }
    McpStreamableServerSession session = sessions.get(id);
    if (session != null) {
      lastUsed.put(id, System.nanoTime());
    }
    if (session == null) {
      // 404 tells the client to start a new session with initialize.
      error(routing.response(), 404, McpSchema.ErrorCodes.INVALID_REQUEST, "No such MCP session.");
    }
    return session;
  }

  /**
   * Ends the sessions unused for longer than {@link #idle}, at each new session: clients that
   * went away without DELETE do not pile up. A client that comes back gets 404 and starts a new
   * MCP session, as the transport specifies; its sandbox sessions are the API's and stay.
   */
  private void endIdle() {
    long now = System.nanoTime();
    lastUsed.forEach((id, used) -> {
      if (now - used > idle.toNanos() && lastUsed.remove(id, used)) {
        McpStreamableServerSession gone = sessions.remove(id);
        if (gone != null) {
          gone.closeGracefully().subscribe(null, failure -> { });
        }
      }
    });
  }

  /** A JSON-RPC error without an id, as the transport's refusals are answered (MCP transports). */
  private void error(HttpServerResponse response, int status, int code, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    Map<String, Object> error = new HashMap<>();
    error.put("code", code);
    error.put("message", message);
    Map<String, Object> body = new HashMap<>();
    body.put("jsonrpc", "2.0");
    body.put("id", null);
    body.put("error", error);
    try {
      response.setStatusCode(status).putHeader("Content-Type", "application/json").end(mapper.writeValueAsString(body));
    } catch (IOException e) {
      response.setStatusCode(status).end();
    }
  }
}
