/**
 * Sessions: the bounded slots, records, leases and restore, on the workspaces of
 * session.workspace.
 *
 * <p>May import session.workspace, sandbox (the sandbox user), config and the root package.
 */
package dev.bubblesandbox.session;
