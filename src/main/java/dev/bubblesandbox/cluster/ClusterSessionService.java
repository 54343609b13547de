package dev.bubblesandbox.cluster;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.session.LocalSessionService;
import dev.bubblesandbox.session.OneShotSlot;
import dev.bubblesandbox.session.SessionInfo;
import dev.bubblesandbox.session.SessionLease;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.SessionSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import dev.bubblesandbox.session.Tenant;

/**
 * The sessions of one node of a cluster: the {@link LocalSessionService} of this node, with
 * each session's id claimed in the cluster-wide {@link SessionDirectory} before it is made here
 * and dropped from it when it ends, so that an id is one session in the whole cluster. Requests
 * for sessions of other nodes never reach this service: the server forwards them to the owner.
 */
public final class ClusterSessionService implements SessionService {

  private final LocalSessionService local;
  private final SessionDirectory directory;
  private final Runnable changed;
  /** The tenants' cluster-wide bounds; replaced whole by {@link #rebound}. */
  private volatile Map<String, Integer> tenantMaxSessions;

  ClusterSessionService(LocalSessionService local, SessionDirectory directory, Runnable changed,
      Map<String, Integer> tenantMaxSessions) {
    this.local = local;
    this.directory = directory;
    this.changed = changed;
    this.tenantMaxSessions = Map.copyOf(tenantMaxSessions);
  }

  /** Each node reloads its own file: this node's bounds and the tenants' bounds it checks. */
  @Override
  public void rebound(int maxSessions, Map<String, Integer> newTenantMaxSessions) {
    local.rebound(maxSessions, newTenantMaxSessions);
    tenantMaxSessions = Map.copyOf(newTenantMaxSessions);
  }

  /**
   * @throws OwnedElsewhereException when another live node holds the id: the request goes there
   * @throws RefusedException {@code session_unavailable} when its node left and may come back,
   *     and as {@link LocalSessionService#create}
   */
  @Override
  public Created create(String id, SessionSettings settings) {
    SessionDirectory.Claim claim = directory.claim(id);
    if (claim instanceof SessionDirectory.Claim.Elsewhere elsewhere) {
      throw new OwnedElsewhereException(elsewhere.owner());
    }
    if (claim instanceof SessionDirectory.Claim.Unavailable unavailable) {
      throw unavailable(id, unavailable.node());
    }
    try {
      if (((SessionDirectory.Claim.Mine) claim).fresh()) {
        checkTenantBound(id);
      }
      Created created = local.create(id, settings);
      changed.run();
      return created;
    } catch (RuntimeException e) {
      SessionDirectory.Claim.Mine mine = (SessionDirectory.Claim.Mine) claim;
      if (mine.wasKept()) {
        directory.keep(id);
      } else if (mine.fresh()) {
        directory.release(id);
      }
      throw e;
    }
  }

  /**
   * A tenant's bound holds across the cluster: its sessions on every node count (as the directory
   * says now; two creates at once on two nodes may both pass, and each node's own check still holds).
   */
  private void checkTenantBound(String id) {
    String tenant = Tenant.nameOf(id);
    Integer max = tenantMaxSessions.get(tenant);
    // The count includes the entry just claimed for this id.
    if (max != null && directory.openSessionsOf(tenant) > max) {
      throw new RefusedException(ErrorCode.TENANT_LIMIT_REACHED,
          "This tenant holds " + max + " sessions in the cluster, as many as it may; end one first.");
    }
  }

  static RefusedException unavailable(String id, String node) {
    return new RefusedException(ErrorCode.SESSION_UNAVAILABLE, "Session " + id + " is on node " + node
        + ", which has left the cluster; it is unavailable until that node comes back.");
  }

  @Override
  public SessionInfo createThrowaway(String id, SessionSettings settings) {
    SessionInfo session = local.createThrowaway(id, settings);
    changed.run();
    return session;
  }

  @Override
  public SessionInfo get(String id) {
    return local.get(id);
  }

  @Override
  public List<SessionInfo> all() {
    return local.all();
  }

  @Override
  public SessionLease leaseExecution(String id) {
    return local.leaseExecution(id);
  }

  @Override
  public SessionLease leaseFiles(String id) {
    return local.leaseFiles(id);
  }

  @Override
  public void checkFilesAvailable(String id) {
    local.checkFilesAvailable(id);
  }

  @Override
  public void end(String id, boolean keep) {
    local.end(id, keep);
    if (keep) {
      directory.keep(id);
    } else {
      directory.release(id);
    }
    changed.run();
  }

  @Override
  public void endThrowaway(String id) {
    local.endThrowaway(id);
    changed.run();
  }

  @Override
  public List<String> reapIdle(Instant now, Duration idleTimeout) {
    List<String> ended = local.reapIdle(now, idleTimeout);
    ended.forEach(directory::release);
    if (!ended.isEmpty()) {
      changed.run();
    }
    return ended;
  }

  @Override
  public OneShotSlot takeOneShotSlot() {
    return local.takeOneShotSlot();
  }

  @Override
  public int capacity() {
    return local.capacity();
  }

  @Override
  public int slotsUsed() {
    return local.slotsUsed();
  }

  @Override
  public void restore() {
    local.restore();
  }

  @Override
  public void shutdown() {
    local.shutdown();
  }
}
