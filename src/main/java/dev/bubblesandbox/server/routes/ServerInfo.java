package dev.bubblesandbox.server.routes;

import dev.bubblesandbox.BuildVersion;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.environment.EnvironmentSummary;
import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.server.web.Bodies;
import dev.bubblesandbox.server.web.ServerContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What the server offers: {@code GET /v1/info} (the version, the limits really in force and how,
 * the environments) and {@code GET /v1/environments} (the same view as {@code list-environments
 * --json}).
 */
public final class ServerInfo {

  private ServerInfo() {}

  public static void handle(RoutingContext routing, ServerContext context) {
    context.blocking()
        .executeBlocking(() -> context.environments().list().stream().map(EnvironmentSummary::of).toList())
        .onSuccess(environments -> Bodies.json(routing, 200, cluster(context, new JsonObject()
            .put("version", BuildVersion.current())
            .put("limits", limits(context))
            .put("environments", new JsonArray(environments.stream().map(JsonObject::mapFrom).toList())))))
        .onFailure(routing::fail);
  }

  public static void handleEnvironments(RoutingContext routing, ServerContext context) {
    context.blocking()
        .executeBlocking(() -> context.environments().list().stream().map(EnvironmentSummary::of).toList())
        .onSuccess(list -> Bodies.json(routing, 200, java.util.Map.of("environments", list)))
        .onFailure(routing::fail);
  }

  /** In cluster mode, the cluster's nodes, sessions and free slots; nothing otherwise. */
  private static JsonObject cluster(ServerContext context, JsonObject info) {
    return context.cluster() == null ? info : info.put("cluster", context.cluster().info());
  }

  /** Every limit with its value and whether this host enforces it, and the mechanism. */
  public static JsonObject limits(ServerContext context) {
    ExecutionLimits limits = context.limits();
    ResourceControl control = context.runner().resources();
    return new JsonObject()
        .put("mechanism", control.mechanism())
        .put("timeout_seconds", limits.timeout().toSeconds())
        .put("max_output_bytes", limits.maxOutputBytes())
        .put("tmpfs_size_bytes", limits.tmpfsSizeBytes())
        .put("max_sessions", context.api().maxSessions())
        .put("memory_bytes", enforced(control, "memory", limits.resources().memoryBytes()))
        .put("pids", enforced(control, "pids", limits.resources().maxTasks()))
        .put("cpus", enforced(control, "cpu", limits.resources().cpus()))
        .put("workspace_bytes", context.workspaces().quotaEnforced() ? limits.workspaceBytes() : null)
        .put("workspace_mechanism", context.workspaces().quotaEnforced() ? "loop-mounted ext4" : "none")
        .put("seccomp", true);
  }

  private static Object enforced(ResourceControl control, String limit, Object value) {
    return control.enforced().contains(limit) ? value : null;
  }

}
