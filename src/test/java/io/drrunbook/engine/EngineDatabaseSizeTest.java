package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;

/**
 * The H2 file of the engine database (the lab's and the default's) with the settings of
 * application.yaml's {@code spring.datasource.url}, under the write pattern of many drills: each
 * "run" inserts its history rows, updates them while it runs, and the runs older than the last
 * {@value #KEPT_RUNS} are deleted, as history cleanup does. The live data stays the same; the file
 * must stay within a bound of it while the database is open and after it is closed (H2 compacts at
 * close). With H2's defaults the same load grows the file past 250 MB within 20 runs and past 800 MB
 * within 60 (compacted at close to nearly nothing). More runs: {@code -Ddr.benchmark.runs=300}.
 */
class EngineDatabaseSizeTest {

  private static final int KEPT_RUNS = 20;
  private static final int ROWS_PER_RUN = 300;
  private static final int BLOB_BYTES = 2000;
  private static final int TEXT_CHARS = 500;

  @TempDir Path dir;

  @Test
  void shouldKeepTheFileWithinTenTimesItsLiveDataWhenManyRunsCameAndWent() throws Exception {
    int runs = Integer.getInteger("dr.benchmark.runs", 40);
    long live = (long) KEPT_RUNS * ROWS_PER_RUN * (BLOB_BYTES + TEXT_CHARS);
    Path file = dir.resolve("engine.mv.db");
    List<Long> sizes = new ArrayList<>();

    try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("engine") + settings(), "sa", "");
        Statement sql = db.createStatement()) {
      sql.execute("create table HISTORY (ID bigint primary key, RUN int, TEXT_ varchar(4000), BYTES_ blob)");
      sql.execute("create index HISTORY_RUN on HISTORY (RUN)");
      byte[] blob = new byte[BLOB_BYTES];
      new Random(1).nextBytes(blob);
      long id = 0;
      for (int run = 0; run < runs; run++) {
        try (PreparedStatement insert = db.prepareStatement("insert into HISTORY values (?, ?, ?, ?)")) {
          for (int row = 0; row < ROWS_PER_RUN; row++) {
            insert.setLong(1, id++);
            insert.setInt(2, run);
            insert.setString(3, "x".repeat(TEXT_CHARS));
            insert.setBytes(4, blob);
            insert.executeUpdate();
          }
        }
        try (PreparedStatement update = db.prepareStatement("update HISTORY set TEXT_ = ? where RUN = ?")) {
          for (int step = 0; step < 5; step++) {
            update.setString(1, "y".repeat(TEXT_CHARS - 100 + step));
            update.setInt(2, run);
            update.executeUpdate();
          }
        }
        if (run >= KEPT_RUNS) {
          sql.execute("delete from HISTORY where RUN = " + (run - KEPT_RUNS));
        }
        sizes.add(Files.size(file));
      }
    }
    long closed = Files.size(file);

    System.getLogger(getClass().getName()).log(System.Logger.Level.INFO,
        "live data {0} KB; file after {1} runs: at most {2} KB open, {3} KB closed", live / 1024, runs,
        sizes.stream().mapToLong(Long::longValue).max().orElse(0) / 1024, closed / 1024);
    assertThat(sizes).as("file size while open, per run").allSatisfy(size -> assertThat(size).isLessThan(10 * live));
    assertThat(closed).as("file size after close").isLessThan(4 * live);
  }

  /** The settings of the configured H2 URL: what follows the database name. */
  private static String settings() {
    YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
    yaml.setResources(new ClassPathResource("application.yaml"));
    Properties properties = yaml.getObject();
    String url = properties.getProperty("spring.datasource.url");
    assertThat(url).startsWith("jdbc:h2:file:");
    return url.substring(url.indexOf(';'));
  }
}
