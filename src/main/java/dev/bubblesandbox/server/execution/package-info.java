/**
 * An execution as the API runs it, for the routes and the console alike: the request, the
 * session lease or one-shot slot, the launch through the bus, metrics at the end.
 *
 * <p>May import server.web, server.bus, server.metrics, server.kernel, session, session.workspace,
 * sandbox, sandbox.output, sandbox.limits, sandbox.kernel, environment and the root package.
 */
package dev.bubblesandbox.server.execution;
