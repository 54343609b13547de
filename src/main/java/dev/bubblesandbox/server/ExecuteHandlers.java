package dev.bubblesandbox.server;

import dev.bubblesandbox.sandbox.Limits;
import dev.bubblesandbox.session.Session;
import dev.bubblesandbox.session.SessionBusyException;
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
        Limits.from(context.settings()), true, Set.of());
    String environment = request.environment().orElse(ServerContext.DEFAULT_ENVIRONMENT);
    executions.startOneShot(environment, request, output -> { })
        .compose(SandboxClient.Execution::ended)
        .onSuccess(ended -> Bodies.json(routing, 200, ended.result()))
        .onFailure(routing::fail);
  }

  void handleInSession(RoutingContext routing) {
    ExecuteRequest request = ExecuteRequest.parse(Bodies.object(routing),
        Limits.from(context.settings()), false, Set.of());
    Session session = context.sessions().get(routing.pathParam("id"));
    if (!session.tryBegin()) {
      throw new SessionBusyException(session.id());
    }
    executions.startInSession(session, request, false, output -> { })
        .compose(SandboxClient.Execution::ended)
        .onSuccess(ended -> Bodies.json(routing, 200, ended.result()))
        .onFailure(routing::fail);
  }
}
