/**
 * The kernels of kernel sessions, as the server keeps them: one per session, opened on its first
 * script execution, run on threads of their own, closed with their sessions.
 *
 * <p>May import sandbox, sandbox.kernel, sandbox.output and the root package.
 */
package dev.bubblesandbox.server.kernel;
