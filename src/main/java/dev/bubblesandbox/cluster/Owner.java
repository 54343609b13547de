package dev.bubblesandbox.cluster;

/** Where a session lives, as the cluster's session directory says. */
public sealed interface Owner {

  /** On this node, or on no node at all: the local handlers answer (404 when unknown). */
  record Here() implements Owner {}

  /** On another live node, reached at its HTTP address. */
  record There(String name, String member, String httpHost, int httpPort) implements Owner {}

  /** On a node that left the cluster and may come back with it (503 {@code session_unavailable}). */
  record Unavailable(String name) implements Owner {}

  /**
   * Not known now: the directory's entry is not signed with the cluster secret and no node wrote
   * its own over it (503 {@code session_unavailable}).
   */
  record Unknown() implements Owner {}
}
