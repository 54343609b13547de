package dev.bubblesandbox.server.web;

import dev.bubblesandbox.cluster.ClusterNode;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.server.metrics.SandboxMetrics;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.workspace.Workspaces;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.WorkerExecutor;

/**
 * What the API verticle instances share: made once by
 * {@link dev.bubblesandbox.server.BubbleSandboxServer}.
 *
 * @param api the settings the API reads
 * @param limits the most a request may ask for, from the settings: made once, not per request
 * @param blocking the named pool for short blocking work (file system, environment checks)
 * @param cluster this node in its cluster; null in single-node mode (the default)
 */
public record ServerContext(
    ApiSettings api,
    ExecutionLimits limits,
    EnvironmentCatalog environments,
    SandboxRunner runner,
    SessionService sessions,
    Workspaces workspaces,
    SandboxMetrics metrics,
    PrometheusMeterRegistry meterRegistry,
    WorkerExecutor blocking,
    ClusterNode cluster) {

  /** The environment whose readiness decides the server's. */
  public static final String DEFAULT_ENVIRONMENT = "bare";
}
