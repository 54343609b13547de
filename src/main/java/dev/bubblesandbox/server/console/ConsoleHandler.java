package dev.bubblesandbox.server.console;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.environment.EnvironmentName;
import dev.bubblesandbox.server.execution.ExecutionService;
import dev.bubblesandbox.server.web.ErrorResponses;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.server.web.TenantScope;
import dev.bubblesandbox.session.SessionIds;
import dev.bubblesandbox.session.SessionInfo;
import dev.bubblesandbox.session.SessionSettings;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The WebSocket console of SPEC §5, on a session or on a throwaway session: the routes, the
 * upgrade and the throwaway session's life; each socket's protocol is a {@link ConsoleConnection}.
 */
public final class ConsoleHandler {

  /**
   * The one subprotocol the console speaks; a client may offer it beside {@code bearer.<key>}
   * (see {@link dev.bubblesandbox.server.web.AccessGuard}), and the server answers with it alone.
   */
  public static final String SUBPROTOCOL = "bubble-sandbox";

  private final ServerContext context;
  private final ExecutionService executions;

  public ConsoleHandler(ServerContext context, ExecutionService executions) {
    this.context = context;
    this.executions = executions;
  }

  /** {@code /v1/sessions/{id}/console}: the session must exist before the upgrade. */
  public void handleSessionConsole(RoutingContext routing) {
    SessionInfo session = context.sessions().get(TenantScope.sessionId(routing));
    upgrade(routing, session, false);
  }

  /** {@code /v1/console?environment=NAME}: a session that ends with the socket. */
  public void handleThrowawayConsole(RoutingContext routing) {
    String environment = routing.queryParams().get("environment");
    String name = EnvironmentName.validate(environment == null ? ServerContext.DEFAULT_ENVIRONMENT : environment);
    // The upgrade happens after the session exists: hold the request until then.
    routing.request().pause();
    String id = TenantScope.of(routing).sessionId(SessionIds.newId());
    context.blocking().executeBlocking(() -> {
          context.environments().require(name);
          return context.sessions().createThrowaway(id, new SessionSettings(name, Map.of()));
        })
        .onSuccess(session -> upgrade(routing, session, true))
        .onFailure(failure -> {
          routing.request().resume();
          routing.fail(failure);
        });
  }

  private void upgrade(RoutingContext routing, SessionInfo session, boolean throwaway) {
    if (!routing.request().canUpgradeToWebSocket()) {
      if (throwaway) {
        endThrowaway(session);
      }
      ErrorResponses.send(routing, ErrorCode.INVALID_REQUEST, "This endpoint speaks WebSocket only.");
      return;
    }
    routing.request().toWebSocket()
        .onSuccess(socket -> new ConsoleConnection(context, executions, routing.vertx(), socket, session,
            TenantScope.of(routing).clientId(session.id()),
            throwaway ? () -> endThrowaway(session) : null).start())
        .onFailure(failure -> {
          if (throwaway) {
            endThrowaway(session);
          }
          routing.fail(failure);
        });
  }

  private void endThrowaway(SessionInfo session) {
    context.blocking().executeBlocking(() -> {
      context.sessions().endThrowaway(session.id());
      return null;
    });
  }
}
