package dev.bubblesandbox.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The cluster-wide session directory, in Hazelcast maps (each entry backed up on another
 * member, so that one node's loss loses no entry): session id → owner (node name and member id),
 * member id → {@link NodeLoad}, and node name → when it left the cluster.
 *
 * <p>A session whose owner left stays in the directory while that node may come back with it
 * (a restart on the same workspace directory, within {@code session_idle_timeout_seconds}):
 * requests for it get {@code session_unavailable}. A node that comes back registers what it
 * restored and drops its other entries, which then answer 404.
 */
final class SessionDirectory {

  private static final String SESSIONS = "bubble-sandbox.sessions";
  private static final String NODES = "bubble-sandbox.nodes";
  private static final String LOST = "bubble-sandbox.lost-nodes";

  /** The outcome of claiming an id for a new session on this node. */
  sealed interface Claim {
    /**
     * The id is this node's now; {@code fresh}: this claim made the entry (over a kept session's
     * entry when {@code wasKept}), which an unused claim must undo.
     */
    record Mine(boolean fresh, boolean wasKept) implements Claim {}

    record Elsewhere(Owner.There owner) implements Claim {}

    record Unavailable(String node) implements Claim {}
  }

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> sessions;
  private final IMap<String, String> nodes;
  private final IMap<String, Long> lost;
  private final String name;
  private final String member;
  private final String entry;
  /** The entry of a session ended with its files kept here: a new session of that id belongs here. */
  private final String keptEntry;
  private final Duration comeBackWindow;

  SessionDirectory(HazelcastInstance hazelcast, String name, Duration comeBackWindow) {
    this.hazelcast = hazelcast;
    this.sessions = hazelcast.getMap(SESSIONS);
    this.nodes = hazelcast.getMap(NODES);
    this.lost = hazelcast.getMap(LOST);
    this.name = name;
    this.member = hazelcast.getCluster().getLocalMember().getUuid().toString();
    this.entry = new JsonObject().put("node", name).put("member", member).encode();
    this.keptEntry = new JsonObject().put("node", name).put("member", member).put("kept", true).encode();
    this.comeBackWindow = comeBackWindow;
  }

  String member() {
    return member;
  }

  /** Claims {@code id} for a session on this node. Blocks. */
  Claim claim(String id) {
    while (true) {
      String existing = sessions.putIfAbsent(id, entry);
      if (existing == null) {
        return new Claim.Mine(true, false);
      }
      JsonObject owner = new JsonObject(existing);
      String ownerMember = owner.getString("member");
      if (ownerMember.equals(member)) {
        if (existing.equals(keptEntry)) {
          // A kept session's files, opened again: an ordinary entry from now on.
          sessions.replace(id, existing, entry);
          return new Claim.Mine(true, true);
        }
        return new Claim.Mine(false, false);
      }
      if (isLive(ownerMember)) {
        Optional<NodeLoad> load = Optional.ofNullable(nodes.get(ownerMember)).map(NodeLoad::decode);
        if (load.isPresent()) {
          return new Claim.Elsewhere(there(load.get()));
        }
        return new Claim.Unavailable(owner.getString("node"));
      }
      if (!owner.getString("node").equals(name) && mayComeBack(owner.getString("node"))) {
        return new Claim.Unavailable(owner.getString("node"));
      }
      // A former run of this node, or a node known gone: the id is free again.
      if (sessions.replace(id, existing, entry)) {
        return new Claim.Mine(true, false);
      }
    }
  }

  /** Drops this node's entry for {@code id} (a session ended here, or a claim not used). Blocks. */
  void release(String id) {
    if (!sessions.remove(id, entry)) {
      sessions.remove(id, keptEntry);
    }
  }

  /**
   * A session ended with its files kept here: the id stays this node's, so that a new session of
   * that id, made through any node, is made here and finds the files. Blocks.
   */
  void keep(String id) {
    sessions.set(id, keptEntry);
  }

  /**
   * After a start: registers the sessions this node brought back, and drops the entries of its
   * former runs that did not come back (they answer 404 from now on). Blocks.
   */
  void registerRestored(Collection<String> ids) {
    for (String id : ids) {
      sessions.set(id, entry);
    }
    Set<String> restored = Set.copyOf(ids);
    for (Map.Entry<String, String> e : Set.copyOf(sessions.entrySet())) {
      JsonObject owner = new JsonObject(e.getValue());
      if (owner.getString("node").equals(name) && !owner.getString("member").equals(member)
          && !restored.contains(e.getKey())) {
        if (owner.getBoolean("kept", false)) {
          // Its files are still here (a kept session's workspace survives restarts).
          sessions.replace(e.getKey(), e.getValue(), keptEntry);
        } else {
          sessions.remove(e.getKey(), e.getValue());
        }
      }
    }
    lost.remove(name);
  }

  /** Where {@code id} lives; completes on a Hazelcast thread. */
  CompletionStage<Owner> owner(String id, Map<String, NodeLoad> liveNodes) {
    return sessions.getAsync(id).thenCompose(value -> {
      if (value == null) {
        return CompletableFuture.completedFuture(new Owner.Here());
      }
      JsonObject owner = new JsonObject(value);
      String ownerMember = owner.getString("member");
      if (ownerMember.equals(member)) {
        return CompletableFuture.completedFuture(new Owner.Here());
      }
      NodeLoad known = liveNodes.get(ownerMember);
      if (known != null) {
        return CompletableFuture.completedFuture(there(known));
      }
      if (!isLive(ownerMember)) {
        String node = owner.getString("node");
        // Async: this runs on a Hazelcast thread, or on the event loop when the entry was cached.
        return lost.getAsync(node).<Owner>thenApply(since -> withinComeBackWindow(since)
            ? new Owner.Unavailable(node) : new Owner.Here());
      }
      // A member that joined since the last look at the node map.
      return nodes.getAsync(ownerMember).thenApply(load -> load == null
          ? new Owner.Unavailable(owner.getString("node")) : there(NodeLoad.decode(load)));
    });
  }

  void publish(NodeLoad load) {
    nodes.setAsync(member, load.encode());
  }

  /** The published loads of the live members. Blocks. */
  Map<String, NodeLoad> liveNodes() {
    Set<String> live = liveMembers();
    return nodes.values().stream().map(NodeLoad::decode).filter(load -> live.contains(load.member()))
        .collect(Collectors.toUnmodifiableMap(NodeLoad::member, load -> load, (a, b) -> a));
  }

  /**
   * A member left or died: its node's sessions become unavailable, its slots no longer count.
   * Every survivor does it; the second finds nothing left to do. Blocks.
   */
  Optional<String> memberLeft(String leftMember) {
    String load = nodes.remove(leftMember);
    if (load == null) {
      return Optional.empty();
    }
    String leftName = NodeLoad.decode(load).name();
    lost.set(leftName, System.currentTimeMillis());
    return Optional.of(leftName);
  }

  /** At a graceful stop: this node's entries and load go. Blocks. */
  void leave() {
    for (Map.Entry<String, String> e : Set.copyOf(sessions.entrySet())) {
      // Kept sessions stay this node's: their files come back with it.
      if (e.getValue().equals(entry)) {
        sessions.remove(e.getKey(), e.getValue());
      }
    }
    nodes.remove(member);
  }

  private boolean mayComeBack(String node) {
    return withinComeBackWindow(lost.get(node));
  }

  private boolean withinComeBackWindow(Long since) {
    // No record yet: the survivors have not finished noting the loss.
    return since == null || System.currentTimeMillis() - since < comeBackWindow.toMillis();
  }

  private boolean isLive(String candidate) {
    return liveMembers().contains(candidate);
  }

  private Set<String> liveMembers() {
    return hazelcast.getCluster().getMembers().stream().map(m -> m.getUuid().toString())
        .collect(Collectors.toUnmodifiableSet());
  }

  private static Owner.There there(NodeLoad load) {
    return new Owner.There(load.name(), load.member(), load.httpHost(), load.httpPort());
  }

}
