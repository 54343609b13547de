package dev.bubblesandbox.server.routes;

import dev.bubblesandbox.environment.Environment;
import dev.bubblesandbox.server.web.Bodies;
import dev.bubblesandbox.server.web.HostCheck;
import dev.bubblesandbox.server.web.ServerContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** Liveness, and readiness: bwrap starts a sandbox and the default environment is ready. */
public final class HealthHandlers {

  /** The probes' paths; k8s/ points the pods' probes at them (checked by K8sManifestsTest). */
  public static final String PATH_PREFIX = HostCheck.PROBE_PATH_PREFIX;
  public static final String LIVE_PATH = "/health/live";
  public static final String READY_PATH = "/health/ready";

  private final ServerContext context;

  public HealthHandlers(ServerContext context) {
    this.context = context;
  }

  public void handleLive(RoutingContext routing) {
    Bodies.json(routing, 200, new JsonObject().put("status", "live"));
  }

  public void handleReady(RoutingContext routing) {
    context.blocking().executeBlocking(this::problems).onSuccess(problems -> {
      if (problems.isEmpty()) {
        Bodies.json(routing, 200, new JsonObject().put("status", "ready"));
      } else {
        Bodies.json(routing, 503, new JsonObject().put("status", "not_ready")
            .put("problems", new JsonArray(problems)));
      }
    }).onFailure(routing::fail);
  }

  private List<String> problems() {
    List<String> problems = new ArrayList<>();
    context.probe().problem().ifPresent(problem -> problems.add("sandbox: " + problem));
    try {
      Environment environment = context.environments().describe(ServerContext.DEFAULT_ENVIRONMENT);
      if (environment.error().isPresent()) {
        problems.add("environment '" + ServerContext.DEFAULT_ENVIRONMENT + "' is invalid: "
            + environment.error().get());
      } else if (!environment.ready()) {
        problems.add("environment '" + ServerContext.DEFAULT_ENVIRONMENT
            + "' is not synced: run bubble-sandbox sync-environments");
      }
    } catch (RuntimeException e) {
      problems.add("environment '" + ServerContext.DEFAULT_ENVIRONMENT + "': " + e.getMessage());
    }
    return problems;
  }
}
