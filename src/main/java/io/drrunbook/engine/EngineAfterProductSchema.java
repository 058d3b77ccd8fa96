package io.drrunbook.engine;

import java.util.Set;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;

/**
 * Makes the process engine wait for the database initialization (the Flyway migration of the product
 * tables, {@code io.drrunbook.common.ProductSchema}): the engine's job executor and listeners write
 * product tables from their first moment, and the migration finds a database without the engine's
 * tables when it is new. Registered in {@code META-INF/spring.factories}.
 */
public class EngineAfterProductSchema extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {

  @Override
  protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
    return Set.of(ProcessEngine.class);
  }
}
