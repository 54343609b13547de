/**
 * What a sandbox gives back: the pumps that read its stdout and stderr, the capped capture and
 * the listener each chunk goes to, and the result assembled when it ends (ExecutionResult,
 * ReturnCode).
 *
 * <p>May import sandbox.limits (resource usage) and the root package; not sandbox, which is
 * built on it.
 */
package dev.bubblesandbox.sandbox.output;
