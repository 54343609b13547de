/**
 * The WebSocket console: the connection, its inbox and rate limit, its frames, and the console
 * page.
 *
 * <p>May import server.execution, server.web, server.bus, server.kernel, session, sandbox,
 * sandbox.output, sandbox.kernel, environment and the root package; no blocking API.
 */
package dev.bubblesandbox.server.console;
