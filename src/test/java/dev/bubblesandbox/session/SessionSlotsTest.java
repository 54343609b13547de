package dev.bubblesandbox.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.BubbleSandboxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bounded session counter. */
class SessionSlotsTest {

  @Test
  @DisplayName("slots are taken up to the capacity, the next is refused, a released one is free again")
  void bounded() {
    SessionSlots slots = new SessionSlots(2);
    slots.acquire();
    slots.acquire();
    assertThat(slots.used()).isEqualTo(2);
    assertThatThrownBy(slots::acquire).isInstanceOf(BubbleSandboxException.class)
        .hasMessageContaining("All 2 session slots are in use");
    assertThat(slots.used()).isEqualTo(2);
    slots.release();
    slots.acquire();
    assertThat(slots.used()).isEqualTo(2);
    assertThat(slots.capacity()).isEqualTo(2);
  }

  @Test
  @DisplayName("releasing more than was taken never goes below zero")
  void neverNegative() {
    SessionSlots slots = new SessionSlots(1);
    slots.release();
    assertThat(slots.used()).isZero();
    slots.acquire();
    assertThatThrownBy(slots::acquire).isInstanceOf(BubbleSandboxException.class);
  }

  @Test
  @DisplayName("restored sessions take slots past the capacity; new ones wait until enough have ended")
  void restoredPastCapacity() {
    SessionSlots slots = new SessionSlots(1);
    slots.takeRestored();
    slots.takeRestored();
    assertThat(slots.used()).isEqualTo(2);
    assertThatThrownBy(slots::acquire).isInstanceOf(BubbleSandboxException.class);
    slots.release();
    assertThatThrownBy(slots::acquire).isInstanceOf(BubbleSandboxException.class);
    slots.release();
    slots.acquire();
    assertThat(slots.used()).isEqualTo(1);
  }

  @Test
  @DisplayName("threads racing for the slots get exactly the capacity between them")
  void racing() throws Exception {
    SessionSlots slots = new SessionSlots(50);
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20; i++) {
          try {
            slots.acquire();
            granted.incrementAndGet();
          } catch (BubbleSandboxException refused) {
            // every slot taken: expected for 110 of the 160 attempts
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(60_000);
    }
    assertThat(granted.get()).isEqualTo(50);
    assertThat(slots.used()).isEqualTo(50);
  }
}
