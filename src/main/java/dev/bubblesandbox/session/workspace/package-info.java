/**
 * Workspaces on the host: the directory tree and its size-limited images (QuotaMounts), the lock
 * that keeps one server per tree, and the files of a workspace read and written through safe
 * path resolution (WorkspacePaths, WorkspaceFiles). Every method blocks.
 *
 * <p>May import sandbox (the sandbox user), config and the root package; not session, which is
 * built on it.
 */
package dev.bubblesandbox.session.workspace;
