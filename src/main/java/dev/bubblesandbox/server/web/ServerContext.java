package dev.bubblesandbox.server.web;

import dev.bubblesandbox.cluster.ClusterNode;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.server.kernel.SessionKernels;
import dev.bubblesandbox.server.metrics.SandboxMetrics;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.workspace.Workspaces;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.WorkerExecutor;

/**
 * What the API verticle instances share: made once by
 * {@link dev.bubblesandbox.server.BubbleSandboxServer}.
 *
 * @param live the settings in force, and what the API reads of them ({@link #api()},
 *     {@link #limits()}): swapped whole when the configuration file is reloaded
 * @param blocking the named pool for short blocking work (file system, environment checks)
 * @param probe whether bwrap starts a sandbox, for readiness
 * @param cluster this node in its cluster; null in single-node mode (the default)
 * @param kernels the kernels of this node's kernel sessions
 */
public record ServerContext(
    LiveSettings live,
    EnvironmentCatalog environments,
    SandboxRunner runner,
    SessionService sessions,
    Workspaces workspaces,
    SandboxMetrics metrics,
    PrometheusMeterRegistry meterRegistry,
    WorkerExecutor blocking,
    SandboxProbe probe,
    ClusterNode cluster,
    SessionKernels kernels) {

  /** The environment whose readiness decides the server's. */
  public static final String DEFAULT_ENVIRONMENT = "bare";

  /** The settings the API reads, as in force now. */
  public ApiSettings api() {
    return live.api();
  }

  /** The most a request may ask for, as in force now: made once per configuration, not per request. */
  public ExecutionLimits limits() {
    return live.limits();
  }
}
