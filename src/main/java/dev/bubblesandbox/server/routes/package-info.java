/**
 * The HTTP routes, one class per family: executions, sessions, files, info, health and the
 * OpenAPI document. Event-loop code: blocking work goes to the named worker pool.
 *
 * <p>May import server.execution, server.web, server.bus, server.metrics, server.kernel, cluster,
 * session, session.workspace, sandbox, sandbox.output, sandbox.limits, sandbox.kernel, environment
 * and the root package; no blocking API (see ArchitectureTest).
 */
package dev.bubblesandbox.server.routes;
