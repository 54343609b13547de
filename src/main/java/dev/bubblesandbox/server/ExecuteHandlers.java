package dev.bubblesandbox.server;

import dev.bubblesandbox.session.SessionLease;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** One-shot executions and executions in a session, answered with the JSON result. */
final class ExecuteHandlers {

  private final ServerContext context;
  private final ExecutionService executions;

  ExecuteHandlers(ServerContext context, ExecutionService executions) {
    this.context = context;
    this.executions = executions;
  }

  void handleOneShot(RoutingContext routing) {
    ExecuteRequest request = ExecuteRequest.parse(Bodies.object(routing),
        context.limits(), true, Set.of());
    String environment = request.environment().orElse(ServerContext.DEFAULT_ENVIRONMENT);
    executions.startOneShot(environment, request, output -> { })
        .compose(ClientExecution::ended)
        .onSuccess(ended -> Bodies.json(routing, 200, ended.result()))
        .onFailure(routing::fail);
  }

  void handleInSession(RoutingContext routing) {
    ExecuteRequest request = ExecuteRequest.parse(Bodies.object(routing),
        context.limits(), false, Set.of());
    SessionLease lease = context.sessions().leaseExecution(TenantScope.sessionId(routing));
    executions.startInSession(lease, request, false, output -> { })
        .compose(ClientExecution::ended)
        .onSuccess(ended -> Bodies.json(routing, 200, ended.result()))
        .onFailure(routing::fail);
  }
}
