/**
 * {@code bubble-sandbox repl}: an interactive kernel in the terminal, with line editing and
 * history (JLine), Python's multi-line rules, results as text and images saved to the work
 * directory. Registered by cli's RootCommand, so it cannot import cli itself.
 *
 * <p>May import cli.handover (the lent work directory), sandbox, sandbox.kernel, sandbox.output,
 * environment, config and the root package.
 */
package dev.bubblesandbox.cli.repl;
