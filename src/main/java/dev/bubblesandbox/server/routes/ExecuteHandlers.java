package dev.bubblesandbox.server.routes;

import dev.bubblesandbox.sandbox.kernel.KernelListener;
import dev.bubblesandbox.server.bus.ClientExecution;
import dev.bubblesandbox.server.execution.ExecuteRequest;
import dev.bubblesandbox.server.execution.ExecutionService;
import dev.bubblesandbox.server.web.Bodies;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.server.web.TenantScope;
import dev.bubblesandbox.session.SessionLease;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * One-shot executions and executions in a session, answered with the JSON result; a kernel
 * session's scripts run in its kernel and answer with the kernel's result (SPEC §11).
 */
public final class ExecuteHandlers {

  private final ServerContext context;
  private final ExecutionService executions;

  public ExecuteHandlers(ServerContext context, ExecutionService executions) {
    this.context = context;
    this.executions = executions;
  }

  public void handleOneShot(RoutingContext routing) {
    ExecuteRequest request = ExecuteRequest.parse(Bodies.object(routing),
        context.limits(), true, Set.of());
    String environment = request.environment().orElse(ServerContext.DEFAULT_ENVIRONMENT);
    executions.startOneShot(environment, request, output -> { })
        .compose(ClientExecution::ended)
        .onSuccess(ended -> Bodies.json(routing, 200, ended.result()))
        .onFailure(routing::fail);
  }

  public void handleInSession(RoutingContext routing) {
    ExecuteRequest request = ExecuteRequest.parse(Bodies.object(routing),
        context.limits(), false, Set.of());
    SessionLease lease = context.sessions().leaseExecution(TenantScope.sessionId(routing));
    if (lease.settings().kernel() && request.script().isPresent()) {
      executions.startInKernel(lease, request, KernelListener.NONE)
          .onSuccess(result -> Bodies.json(routing, 200, result))
          .onFailure(routing::fail);
      return;
    }
    executions.startInSession(lease, request, false, output -> { })
        .compose(ClientExecution::ended)
        .onSuccess(ended -> Bodies.json(routing, 200, ended.result()))
        .onFailure(routing::fail);
  }
}
