/**
 * Cluster forwarding: requests and console connections for a session another node owns are
 * forwarded to it over HTTP, hop-marked and streamed.
 *
 * <p>May import server.web, cluster and the packages below server; no blocking API.
 */
package dev.bubblesandbox.server.forward;
