package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The vendor default passwords the seeds print (PROCEDURES.md: examples of the vendor's defaults,
 * never in BPMN, forms, variables or logs): none of them in any file the product ships: models,
 * forms, connector routes and contracts, configuration, lab models, docs and READMEs. Seed 002 shows
 * three: the Cache Management Portal's, and two different Oracle {@code sys} passwords on its dgmgrl
 * command lines (L1340/L1535 and L1434, census M-C5-2). The drill tests check variables and logs.
 */
class SeedSecretsTest {

  /** The seeds' default passwords (seed 002 L691, L1340, L1434). */
  static final List<String> SEED_PASSWORDS = List.of("Oceana16", "Avaya123", "Password1");

  static final List<Path> SHIPPED = List.of(Path.of("processes"), Path.of("forms"),
      Path.of("connectors"), Path.of("src/main"), Path.of("docs"), Path.of("README.md"));

  @Test
  void shouldShipNoSeedPasswordWhenAnyProductFileIsRead() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path root : SHIPPED) {
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(Files::isRegularFile).forEach(file -> {
          String text = read(file);
          SEED_PASSWORDS.stream().filter(text::contains).forEach(p -> found.add(file + ": " + p.charAt(0) + "..."));
        });
      }
    }
    assertThat(found).as("files holding a seed password").isEmpty();
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
