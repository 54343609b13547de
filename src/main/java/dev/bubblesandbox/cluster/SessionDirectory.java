package dev.bubblesandbox.cluster;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.hazelcast.core.HazelcastInstance;
import dev.bubblesandbox.session.Tenant;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.stream.Collectors;

/**
 * The cluster-wide session directory, in Hazelcast maps (each entry backed up on another
 * member, so that one node's loss loses no entry): session id → owner (node name and member id),
 * member id → {@link NodeLoad}, and node name → when it left the cluster. Every entry is signed
 * with the cluster secret ({@link SignedMap}): one without a valid signature is ignored, and the
 * owner of a session writes its entry again when it finds it changed ({@link #reassert}).
 *
 * <p>A session whose owner left stays in the directory while that node may come back with it
 * (a restart on the same workspace directory, within {@code session_idle_timeout_seconds}):
 * requests for it get {@code session_unavailable}. A node that comes back registers what it
 * restored and drops its other entries, which then answer 404.
 */
final class SessionDirectory {

  private static final Logger logger = LoggerFactory.getLogger(SessionDirectory.class);

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

  /** What the directory says of one session id. */
  sealed interface Entry {
    /** No entry, or this node's. */
    record Here() implements Entry {}

    record Elsewhere(Owner owner) implements Entry {}

    /** An entry not signed with the secret: the directory cannot say where the session is now. */
    record Unknown() implements Entry {}
  }

  private final HazelcastInstance hazelcast;
  private final SignedMap sessions;
  private final SignedMap nodes;
  private final SignedMap lost;
  private final String name;
  private final String member;
  private final String entry;
  /** The entry of a session ended with its files kept here: a new session of that id belongs here. */
  private final String keptEntry;
  private final Duration comeBackWindow;
  /** The entries this node wrote for its sessions, by id: what {@link #reassert} keeps in place. */
  private final Map<String, String> mine = new ConcurrentHashMap<>();

  SessionDirectory(HazelcastInstance hazelcast, ClusterSecret secret, String name, Duration comeBackWindow) {
    this.hazelcast = hazelcast;
    this.sessions = new SignedMap(hazelcast.getMap(SESSIONS), secret);
    this.nodes = new SignedMap(hazelcast.getMap(NODES), secret);
    this.lost = new SignedMap(hazelcast.getMap(LOST), secret);
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
      SignedMap.Read read = sessions.putIfAbsent(id, entry);
      if (read instanceof SignedMap.Read.Absent) {
        mine.put(id, entry);
        return new Claim.Mine(true, false);
      }
      if (!(read instanceof SignedMap.Read.Valid existing)) {
        // Not the directory's: the session's own node writes its entry again within a second.
        return new Claim.Unavailable("unknown");
      }
      JsonObject owner = new JsonObject(existing.value());
      String ownerMember = owner.getString("member");
      if (ownerMember.equals(member)) {
        if (existing.value().equals(keptEntry)) {
          // A kept session's files, opened again: an ordinary entry from now on.
          sessions.replace(id, existing.stored(), entry);
          mine.put(id, entry);
          return new Claim.Mine(true, true);
        }
        return new Claim.Mine(false, false);
      }
      if (isLive(ownerMember)) {
        Optional<NodeLoad> load = load(ownerMember);
        if (load.isPresent()) {
          return new Claim.Elsewhere(there(load.get()));
        }
        return new Claim.Unavailable(owner.getString("node"));
      }
      if (!owner.getString("node").equals(name) && mayComeBack(owner.getString("node"))) {
        return new Claim.Unavailable(owner.getString("node"));
      }
      // A former run of this node, or a node known gone: the id is free again.
      if (sessions.replace(id, existing.stored(), entry)) {
        mine.put(id, entry);
        return new Claim.Mine(true, false);
      }
    }
  }

  /** How many open sessions of {@code tenant} the cluster holds (kept ones aside). Blocks. */
  long openSessionsOf(String tenant) {
    return sessions.validEntries().entrySet().stream()
        .filter(e -> Tenant.nameOf(e.getKey()).equals(tenant) && !new JsonObject(e.getValue()).getBoolean("kept", false))
        .count();
  }

  /** Drops this node's entry for {@code id} (a session ended here, or a claim not used). Blocks. */
  void release(String id) {
    mine.remove(id);
    if (!sessions.remove(id, entry)) {
      sessions.remove(id, keptEntry);
    }
  }

  /**
   * A session ended with its files kept here: the id stays this node's, so that a new session of
   * that id, made through any node, is made here and finds the files. Blocks.
   */
  void keep(String id) {
    mine.put(id, keptEntry);
    sessions.set(id, keptEntry);
  }

  /**
   * After a start: registers the sessions this node brought back, and drops the entries of its
   * former runs that did not come back (they answer 404 from now on). Blocks.
   */
  void registerRestored(Collection<String> ids) {
    for (String id : ids) {
      mine.put(id, entry);
      sessions.set(id, entry);
    }
    Set<String> restored = Set.copyOf(ids);
    for (Map.Entry<String, String> e : sessions.validEntries().entrySet()) {
      JsonObject owner = new JsonObject(e.getValue());
      if (owner.getString("node").equals(name) && !owner.getString("member").equals(member)
          && !restored.contains(e.getKey())) {
        if (owner.getBoolean("kept", false)) {
          // Its files are still here (a kept session's workspace survives restarts).
          sessions.replace(e.getKey(), sessions.signed(e.getKey(), e.getValue()), keptEntry);
          mine.put(e.getKey(), keptEntry);
        } else {
          sessions.remove(e.getKey(), e.getValue());
        }
      }
    }
    lost.remove(name);
  }

  /**
   * Writes again the entries of this node's sessions that are not as it wrote them (removed,
   * replaced, planted over): whoever changed them, the session stays where it is. Blocks.
   */
  void reassert() {
    Map<String, String> expected = Map.copyOf(mine);
    if (expected.isEmpty()) {
      return;
    }
    Map<String, Object> stored = sessions.storedEntries(expected.keySet());
    expected.forEach((id, value) -> {
      if (!sessions.signed(id, value).equals(stored.get(id)) && mine.get(id) == value) {
        logger.warn("cluster directory: this node's entry for a session was changed by someone else; written again",
            kv("session_id", id));
        sessions.set(id, value);
      }
    });
  }

  /** Where {@code id} lives; completes on a Hazelcast thread. */
  CompletionStage<Entry> owner(String id, Map<String, NodeLoad> liveNodes) {
    return sessions.getAsync(id).thenCompose(read -> {
      if (read instanceof SignedMap.Read.Invalid) {
        return CompletableFuture.completedFuture(new Entry.Unknown());
      }
      if (!(read instanceof SignedMap.Read.Valid valid)) {
        return CompletableFuture.completedFuture(new Entry.Here());
      }
      JsonObject owner = new JsonObject(valid.value());
      String ownerMember = owner.getString("member");
      if (ownerMember.equals(member)) {
        return CompletableFuture.completedFuture(new Entry.Here());
      }
      NodeLoad known = liveNodes.get(ownerMember);
      if (known != null) {
        return CompletableFuture.completedFuture(new Entry.Elsewhere(there(known)));
      }
      if (!isLive(ownerMember)) {
        String node = owner.getString("node");
        // Async: this runs on a Hazelcast thread, or on the event loop when the entry was cached.
        return lost.getAsync(node).<Entry>thenApply(since -> withinComeBackWindow(since)
            ? new Entry.Elsewhere(new Owner.Unavailable(node)) : new Entry.Here());
      }
      // A member that joined since the last look at the node map.
      return nodes.getAsync(ownerMember).thenApply(load -> new Entry.Elsewhere(load instanceof SignedMap.Read.Valid ok
          ? there(NodeLoad.decode(ok.value())) : new Owner.Unavailable(owner.getString("node"))));
    });
  }

  void publish(NodeLoad load) {
    nodes.setAsync(member, load.encode());
  }

  /** The published loads of the live members, each under its own member id. Blocks. */
  Map<String, NodeLoad> liveNodes() {
    Set<String> live = liveMembers();
    return nodes.validEntries().entrySet().stream()
        .map(e -> NodeLoad.decode(e.getValue()))
        .filter(load -> live.contains(load.member()))
        .collect(Collectors.toUnmodifiableMap(NodeLoad::member, load -> load, (a, b) -> a));
  }

  private Optional<NodeLoad> load(String ofMember) {
    return nodes.get(ofMember) instanceof SignedMap.Read.Valid ok ? Optional.of(NodeLoad.decode(ok.value()))
        : Optional.empty();
  }

  /**
   * A member left or died: its node's sessions become unavailable, its slots no longer count.
   * Every survivor does it; the second finds nothing left to do. Blocks.
   */
  Optional<String> memberLeft(String leftMember) {
    Optional<String> leftName = nodes.remove(leftMember).map(load -> NodeLoad.decode(load).name());
    leftName.ifPresent(left -> lost.set(left, Long.toString(System.currentTimeMillis())));
    return leftName;
  }

  /** At a graceful stop: this node's entries and load go. Blocks. */
  void leave() {
    mine.forEach((id, value) -> {
      // Kept sessions stay this node's: their files come back with it.
      if (value.equals(entry)) {
        sessions.remove(id, value);
      }
    });
    mine.clear();
    nodes.remove(member);
  }

  private boolean mayComeBack(String node) {
    return withinComeBackWindow(lost.get(node));
  }

  private boolean withinComeBackWindow(SignedMap.Read since) {
    // No valid record yet: the survivors have not finished noting the loss.
    return !(since instanceof SignedMap.Read.Valid valid)
        || System.currentTimeMillis() - Long.parseLong(valid.value()) < comeBackWindow.toMillis();
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
