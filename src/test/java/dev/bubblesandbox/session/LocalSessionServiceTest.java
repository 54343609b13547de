package dev.bubblesandbox.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.sandbox.SandboxUser;
import dev.bubblesandbox.session.workspace.Workspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle rules of the one-node session service, on real workspaces in a temporary
 * directory, without bwrap and without a server.
 */
class LocalSessionServiceTest {

  private static final int MAX_SESSIONS = 3;
  private static final SessionSettings BARE = new SessionSettings("bare", Map.of());

  @TempDir Path root;
  private Workspaces workspaces;
  private LocalSessionService service;

  @BeforeEach
  void start() throws Exception {
    // The sandbox uid must be able to reach the tree (Workspaces.prepare checks it).
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    workspaces = new Workspaces(root.resolve("workspaces"), SandboxUser.forCurrentProcess(65534),
        List.of(), 16L << 20);
    workspaces.prepare();
    service = new LocalSessionService(MAX_SESSIONS, workspaces);
    service.restore();
  }

  @AfterEach
  void stop() {
    service.shutdown();
  }

  @Test
  @DisplayName("An execution lease holds a session alone; file leases share it and keep executions out")
  void leasesAreExclusive() {
    service.create("s", BARE);
    SessionLease execution = service.leaseExecution("s");
    assertThat(execution.workspace()).isEqualTo(workspaces.sessionDir("s")).isDirectory();
    assertThat(service.get("s").busy()).isTrue();
    assertRefused(() -> service.leaseExecution("s"), ErrorCode.SESSION_BUSY);
    assertRefused(() -> service.leaseFiles("s"), ErrorCode.SESSION_BUSY);
    assertRefused(() -> service.checkFilesAvailable("s"), ErrorCode.SESSION_BUSY);
    execution.close();
    assertThat(service.get("s").busy()).isFalse();

    SessionLease upload = service.leaseFiles("s");
    SessionLease listing = service.leaseFiles("s");
    service.checkFilesAvailable("s");
    assertRefused(() -> service.leaseExecution("s"), ErrorCode.SESSION_BUSY);
    upload.close();
    // Closing twice releases once: the listing still holds the session.
    upload.close();
    assertRefused(() -> service.leaseExecution("s"), ErrorCode.SESSION_BUSY);
    listing.close();
    service.leaseExecution("s").close();
    assertRefused(() -> service.leaseExecution("missing"), ErrorCode.SESSION_NOT_FOUND);
    assertRefused(() -> service.leaseFiles("missing"), ErrorCode.SESSION_NOT_FOUND);
  }

  @Test
  @DisplayName("A held session cannot be ended; once released it ends, its files cleared or kept")
  void endWhileLeased() throws Exception {
    service.create("cleared", BARE);
    service.create("kept", BARE);
    SessionLease execution = service.leaseExecution("cleared");
    SessionLease files = service.leaseFiles("kept");
    Files.writeString(files.workspace().resolve("note.txt"), "stays");
    assertRefused(() -> service.end("cleared", false), ErrorCode.SESSION_BUSY);
    assertRefused(() -> service.end("kept", true), ErrorCode.SESSION_BUSY);
    assertThat(service.all()).extracting(SessionInfo::id).containsExactlyInAnyOrder("cleared", "kept");

    execution.close();
    files.close();
    service.end("cleared", false);
    service.end("kept", true);
    assertRefused(() -> service.get("cleared"), ErrorCode.SESSION_NOT_FOUND);
    assertRefused(() -> service.end("cleared", false), ErrorCode.SESSION_NOT_FOUND);
    assertThat(service.all()).isEmpty();
    assertThat(service.slotsUsed()).isZero();
    assertThat(workspaces.sessionDir("cleared")).doesNotExist();

    // A lease closed after its session ended frees nothing twice.
    execution.close();
    assertThat(service.slotsUsed()).isZero();
    SessionService.Created again = service.create("kept", BARE);
    assertThat(again.isNew()).isTrue();
    try (SessionLease lease = service.leaseFiles("kept")) {
      assertThat(Files.readString(lease.workspace().resolve("note.txt"))).isEqualTo("stays");
    }
  }

  @Test
  @DisplayName("Idle reaping ends the idle sessions and skips the ones held, whatever holds them")
  void reapingSkipsLeased() {
    service.create("idle", BARE);
    service.create("running", BARE);
    service.create("uploading", BARE);
    SessionLease execution = service.leaseExecution("running");
    SessionLease files = service.leaseFiles("uploading");
    Instant later = Instant.now().plus(Duration.ofHours(2));

    assertThat(service.reapIdle(Instant.now(), Duration.ofHours(1))).isEmpty();
    assertThat(service.reapIdle(later, Duration.ofHours(1))).containsExactly("idle");
    assertThat(service.all()).extracting(SessionInfo::id).containsExactlyInAnyOrder("running", "uploading");
    assertThat(workspaces.sessionDir("idle")).doesNotExist();

    execution.close();
    files.close();
    assertThat(service.reapIdle(later, Duration.ofHours(1))).containsExactlyInAnyOrder("running", "uploading");
    assertThat(service.all()).isEmpty();
    assertThat(service.slotsUsed()).isZero();
  }

  @Test
  @DisplayName("One-shot slots and sessions share max_sessions; a slot closed twice frees one")
  void oneShotSlotsBounded() {
    service.create("s", BARE);
    OneShotSlot first = service.takeOneShotSlot();
    OneShotSlot second = service.takeOneShotSlot();
    assertThat(service.slotsUsed()).isEqualTo(MAX_SESSIONS);
    assertRefused(service::takeOneShotSlot, ErrorCode.CAPACITY_EXHAUSTED);
    assertRefused(() -> service.create("t", BARE), ErrorCode.CAPACITY_EXHAUSTED);
    assertRefused(() -> service.createThrowaway(SessionIds.newId(), BARE), ErrorCode.CAPACITY_EXHAUSTED);

    first.close();
    first.close();
    assertThat(service.slotsUsed()).isEqualTo(MAX_SESSIONS - 1);
    OneShotSlot third = service.takeOneShotSlot();
    assertRefused(service::takeOneShotSlot, ErrorCode.CAPACITY_EXHAUSTED);
    second.close();
    third.close();
    assertThat(service.slotsUsed()).isEqualTo(1);
    assertThat(service.capacity()).isEqualTo(MAX_SESSIONS);
  }

  @Test
  @DisplayName("A throwaway session ends with its socket even while held, and leaves no files")
  void throwawayEndsWhateverHoldsIt() {
    SessionInfo throwaway = service.createThrowaway(SessionIds.newId(), BARE);
    assertThat(service.get(throwaway.id()).environment()).isEqualTo("bare");
    SessionLease lease = service.leaseFiles(throwaway.id());
    service.endThrowaway(throwaway.id());
    service.endThrowaway(throwaway.id());
    lease.close();
    assertThat(service.all()).isEmpty();
    assertThat(service.slotsUsed()).isZero();
    assertThat(workspaces.sessionDir(throwaway.id())).doesNotExist();
  }

  private static void assertRefused(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call).isInstanceOfSatisfying(BubbleSandboxException.class,
        refused -> assertThat(refused.code()).isEqualTo(code));
  }
}
