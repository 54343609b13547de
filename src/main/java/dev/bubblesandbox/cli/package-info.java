/**
 * The picocli commands and what only the command line needs: the spawn mechanism of the JVM.
 * Runs sandboxes through sandbox directly, without Vert.x.
 *
 * <p>May import server (serve), cluster (certificates), cli.repl (the repl command), cli.mcp (the
 * mcp command), cli.handover (work directories lent to the sandbox uid), session,
 * session.workspace (the doctor's quota check), sandbox, sandbox.warm, sandbox.output, sandbox.limits, environment, config and the root
 * package; none of server's sub-packages, which the command line reaches only through boot.
 */
package dev.bubblesandbox.cli;
