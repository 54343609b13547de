/**
 * Boot: BubbleSandboxServer builds the shared services, deploys the sandbox worker verticle
 * first and the API verticles (the router) last, and stops them in reverse order.
 *
 * <p>May import every server sub-package (server.routes, server.console, server.forward,
 * server.execution, server.web, server.bus, server.metrics, server.kernel, server.mcp) and every
 * package below server (cluster, session, session.workspace, sandbox, sandbox.warm, sandbox.output,
 * sandbox.limits, sandbox.kernel, environment, config and the root package); never cli.
 */
package dev.bubblesandbox.server;
