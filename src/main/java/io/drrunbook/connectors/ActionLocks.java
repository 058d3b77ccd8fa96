package io.drrunbook.connectors;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One action on one target at a time on this node: the check and act (and the verify after an act)
 * of the same action (same target, same rendered command) by two steps, of two runs an approver let
 * overlap (README "Conflicting runs"), run one after the other, so the second one's check sees what
 * the first one did instead of both finding the work undone and both acting. A step whose check
 * finds the action done verifies after the lock (read-only), so overlapping runs queue only for
 * checks. Within this node a lock; across the nodes of one engine database, while it holds the
 * lock, a lease ({@link ActionLeases}: overlapping runs may be worked by different nodes). A lock
 * lives only while a step holds or waits for it.
 */
public final class ActionLocks {

  private static final class Holder {
    final ReentrantLock lock = new ReentrantLock();
    int users;
  }

  private final ConcurrentHashMap<String, Holder> locks = new ConcurrentHashMap<>();
  private final ActionLeases leases;

  public ActionLocks(ActionLeases leases) {
    this.leases = leases;
  }

  /**
   * Runs {@code action} while no other caller, on this node or another, runs one with the same
   * key; {@code text} names the action for an operator (no secret).
   */
  public <T> T exclusively(String key, String text, Supplier<T> action) {
    Holder holder = locks.compute(key, (k, held) -> {
      Holder h = held == null ? new Holder() : held;
      h.users++;
      return h;
    });
    holder.lock.lock();
    try (ActionLeases.Lease lease = leases.acquire(key, text)) {
      return action.get();
    } finally {
      holder.lock.unlock();
      locks.computeIfPresent(key, (k, held) -> --held.users == 0 ? null : held);
    }
  }

  /** Keys locked or waited for now (for tests: none once every action ended). */
  public int held() {
    return locks.size();
  }
}
