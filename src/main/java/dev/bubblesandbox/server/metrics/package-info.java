/**
 * Micrometer and Prometheus: the registry set-up, the domain meters (SandboxMetrics), process
 * facts and the metered session service.
 *
 * <p>May import session, sandbox and sandbox.output values and the root package.
 */
package dev.bubblesandbox.server.metrics;
