/**
 * Cluster forwarding: requests and console connections for a session another node owns are
 * forwarded to it over HTTP, hop-marked and streamed.
 *
 * <p>May import server.web, cluster, session, sandbox (the execution limits) and the root
 * package; no blocking API.
 */
package dev.bubblesandbox.server.forward;
