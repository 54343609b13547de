/**
 * Micrometer and Prometheus: the registry set-up, the domain meters (SandboxMetrics), process
 * facts and the metered session service.
 *
 * <p>May import session, sandbox, sandbox.output and sandbox.kernel values and the root package.
 */
package dev.bubblesandbox.server.metrics;
