package dev.bubblesandbox.cluster;

/**
 * A session id a create request names is held by another live node: the request goes there,
 * where the usual 200/409 rules apply. Thrown by {@link ClusterSessionService#create}.
 */
public final class OwnedElsewhereException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Owner.There owner;

  OwnedElsewhereException(Owner.There owner) {
    super("the session is owned by node " + owner.name(), null, false, false);
    this.owner = owner;
  }

  public Owner.There owner() {
    return owner;
  }
}
