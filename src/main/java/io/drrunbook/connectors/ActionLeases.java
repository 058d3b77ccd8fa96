package io.drrunbook.connectors;

/**
 * Leases of actions across the nodes of one engine database: while a step of one node checks, does
 * and verifies an action, the same action (same target, same command line) by a step of another
 * node waits (see {@link ActionLocks}). {@link #NONE} where there is a single process and no shared
 * database (connector tests).
 */
public interface ActionLeases {

  /** A held lease; {@link #close()} gives it back. */
  interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  /** No lease at all: only the locks within this process. */
  ActionLeases NONE = (key, text) -> () -> { };

  /**
   * Waits until no other node holds a lease on {@code key}, then holds it until closed;
   * {@code text} says which action it is (no secret: host and command key).
   */
  Lease acquire(String key, String text);
}
