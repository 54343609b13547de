/**
 * Boot: BubbleSandboxServer builds the shared services, deploys the sandbox worker verticle
 * first and the API verticles (the router) last, and stops them in reverse order.
 *
 * <p>May import every server sub-package and everything below server.
 */
package dev.bubblesandbox.server;
