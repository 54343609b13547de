/**
 * Launching one sandbox: the launch spec and its values, the bwrap command (a pure function),
 * the launchers and their pool, the watcher, and the threads that run them (SandboxThreads).
 * SandboxRunner is the entry point.
 *
 * <p>May import sandbox.output, sandbox.limits, environment, config and the root package; not
 * sandbox.warm, which is built on it.
 */
package dev.bubblesandbox.sandbox;
