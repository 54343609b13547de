/**
 * The HTTP routes, one class per family: executions, sessions, files, info, health and the
 * OpenAPI document. Event-loop code: blocking work goes to the named worker pool.
 *
 * <p>May import server.execution, server.web, server.bus, server.metrics, cluster, session,
 * session.workspace, sandbox, sandbox.output, sandbox.limits, environment and the root package; no
 * blocking API (see ArchitectureTest).
 */
package dev.bubblesandbox.server.routes;
