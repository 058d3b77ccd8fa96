package io.drrunbook.common;

import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;

/**
 * The product tables for a test that builds its components on a data source of its own (no Spring
 * context): the migration the application runs, with the {@code spring.flyway} settings of
 * application.yaml, through {@link ProductSchema}.
 */
public final class TestProductSchema {

  private static final Properties SETTINGS = settings();

  private TestProductSchema() {}

  /** Migrates an H2 database. */
  public static void migrate(DataSource dataSource) {
    migrate(dataSource, "h2");
  }

  /** Migrates a database of {@code vendor} (h2, postgresql, oracle: the folder of its migrations). */
  public static void migrate(DataSource dataSource, String vendor) {
    new ProductSchema().migrate(flyway(dataSource, vendor));
  }

  /** Flyway as the application configures it. */
  public static Flyway flyway(DataSource dataSource, String vendor) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations(setting("locations").replace("{vendor}", vendor))
        .table(setting("table"))
        .baselineOnMigrate(Boolean.parseBoolean(setting("baseline-on-migrate")))
        .baselineVersion(setting("baseline-version"))
        .load();
  }

  /** The history table's name. */
  public static String historyTable() {
    return setting("table");
  }

  private static String setting(String key) {
    String value = SETTINGS.getProperty("spring.flyway." + key);
    if (value == null) {
      throw new IllegalStateException("application.yaml has no spring.flyway." + key);
    }
    return value;
  }

  private static Properties settings() {
    YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
    yaml.setResources(new ClassPathResource("application.yaml"));
    return yaml.getObject();
  }
}
