/**
 * An execution as the API runs it, for the routes and the console alike: the request, the
 * session lease or one-shot slot, the launch through the bus, metrics at the end.
 *
 * <p>May import server.web, server.bus, server.metrics and the packages below server.
 */
package dev.bubblesandbox.server.execution;
