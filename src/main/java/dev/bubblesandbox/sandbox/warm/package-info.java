/**
 * Warm sandboxes: pools of sandboxes started ahead with Python waiting on a private pipe, for
 * one-shot and session executions, each used once.
 *
 * <p>May import sandbox, sandbox.output, sandbox.limits, environment and the root package.
 */
package dev.bubblesandbox.sandbox.warm;
