/**
 * Resource limits on the host: cgroups v1 and v2 (and delegation), rlimits, the seccomp
 * filter, and the run owner that names what a run leaves behind.
 *
 * <p>May import only the root package: the launcher uses it, never the other way round.
 */
package dev.bubblesandbox.sandbox.limits;
