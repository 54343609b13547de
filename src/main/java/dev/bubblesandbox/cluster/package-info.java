/**
 * Cluster mode: membership (ClusterNode), the signed session directory, TLS material, hop
 * tokens and placement.
 *
 * <p>May import session, config and the root package; nothing of server.
 */
package dev.bubblesandbox.cluster;
