/**
 * The WebSocket console: the connection, its inbox and rate limit, its frames, and the console
 * page.
 *
 * <p>May import server.execution, server.web, server.bus and the packages below server; no
 * blocking API.
 */
package dev.bubblesandbox.server.console;
