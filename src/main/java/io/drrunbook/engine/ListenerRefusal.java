package io.drrunbook.engine;

/**
 * Marks an exception a built-in engine listener throws on purpose to refuse what the caller asked
 * (an approval by the same person, a run with an unknown mode). The engine wraps whatever a listener
 * throws in a plain {@code ProcessEngineException} (a 500 over REST); the product's command
 * interceptor lets an exception carrying this mark leave the engine as itself, so that the engine
 * REST API and the web apps answer with its status (403, 400) and message.
 */
public interface ListenerRefusal {
}
