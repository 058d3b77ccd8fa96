package io.drrunbook.engine;

/**
 * A {@link ListenerRefusal} because another run holds what this one needs (its systems): a conflict
 * with the state of the installation rather than a bad request, answered 409 over HTTP.
 */
public interface ConflictRefusal extends ListenerRefusal {
}
