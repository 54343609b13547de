package dev.bubblesandbox.server;

import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.Workspaces;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.WorkerExecutor;

/**
 * What the API verticle instances share: made once by {@link BubbleSandboxServer}.
 *
 * @param api the settings the API reads
 * @param limits the most a request may ask for, from the settings: made once, not per request
 * @param blocking the named pool for short blocking work (file system, environment checks)
 */
record ServerContext(
    ApiSettings api,
    ExecutionLimits limits,
    EnvironmentCatalog environments,
    SandboxRunner runner,
    SessionService sessions,
    Workspaces workspaces,
    SandboxMetrics metrics,
    PrometheusMeterRegistry meterRegistry,
    WorkerExecutor blocking) {

  /** The environment whose readiness decides the server's. */
  static final String DEFAULT_ENVIRONMENT = "bare";
}
