/**
 * Host directories lent to the sandbox uid for a command's run and given back afterwards
 * (OwnershipHandover), shared by the run commands and the repl.
 *
 * <p>May import nothing of the project: it works on host paths and uids only.
 */
package dev.bubblesandbox.cli.handover;
