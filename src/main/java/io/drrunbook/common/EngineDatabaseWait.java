package io.drrunbook.common;

import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Holds the start-up until the engine database ({@code spring.datasource}, bean
 * {@code dataSource}) answers and accepts writes, before Flyway, the product schema or the engine
 * first use it ({@link DatabaseAvailability}): a node started before its database, or against a
 * read-only standby, waits and says why in one line per attempt. Delays:
 * {@code dr.engine-database.retry-first} doubling up to {@code dr.engine-database.retry-max}.
 */
@Component
public class EngineDatabaseWait implements BeanPostProcessor {

  static final String ENGINE_DATA_SOURCE = "dataSource";

  private final DatabaseAvailability availability;

  public EngineDatabaseWait(@Value("${dr.engine-database.retry-first:2s}") Duration retryFirst,
      @Value("${dr.engine-database.retry-max:60s}") Duration retryMax) {
    this.availability = new DatabaseAvailability(retryFirst, retryMax);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof DataSource dataSource && ENGINE_DATA_SOURCE.equals(beanName)) {
      availability.awaitWritable(dataSource);
    }
    return bean;
  }
}
