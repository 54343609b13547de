/**
 * Sessions: the bounded slots, records, leases and restore; workspaces and safe path
 * resolution inside them.
 *
 * <p>May import sandbox (the sandbox user), config and the root package.
 */
package dev.bubblesandbox.session;
