/**
 * The error vocabulary and the few host facts every package shares: ErrorCode, the exceptions
 * that carry it, exit statuses, the mount table, host file helpers and the build version.
 *
 * <p>May import nothing of the project: every other package may import it.
 */
package dev.bubblesandbox;
