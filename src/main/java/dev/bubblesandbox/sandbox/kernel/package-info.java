/**
 * Kernel sessions: one long-lived Python per session, run by {@code kernel_runner.py} inside the
 * session's sandbox, that keeps its state between executions and answers each with its output,
 * MIME results, error and execution count.
 *
 * <p>May import sandbox, sandbox.warm, sandbox.output, sandbox.limits, environment, config and the root
 * package.
 */
package dev.bubblesandbox.sandbox.kernel;
