package io.drrunbook.topology;

import io.drrunbook.common.SecretMasker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Reads a secret from its reference: {@code env:NAME} (an environment variable) or
 * {@code file:/path} (the file's content, trailing new line removed). Literal values are refused so
 * that no secret can sit in committed configuration. Every value read is registered with the
 * {@link SecretMasker}, so it is masked wherever step output is recorded.
 */
@Component
public class SecretResolver {

  private final SecretMasker masker;
  private final UnaryOperator<String> environment;

  @Autowired
  public SecretResolver(SecretMasker masker) {
    this(masker, System::getenv);
  }

  SecretResolver(SecretMasker masker, UnaryOperator<String> environment) {
    this.masker = masker;
    this.environment = environment;
  }

  public String resolve(String reference) {
    if (reference == null || reference.isBlank()) {
      throw new TopologyException("a secret reference is missing");
    }
    String value;
    if (reference.startsWith("env:")) {
      String name = reference.substring(4);
      value = environment.apply(name);
      if (value == null) {
        throw new TopologyException("environment variable " + name + " is not set");
      }
    } else if (reference.startsWith("file:")) {
      Path path = Path.of(reference.substring(5));
      try {
        value = Files.readString(path, StandardCharsets.UTF_8).stripTrailing();
      } catch (IOException e) {
        throw new TopologyException("cannot read secret file " + path, e);
      }
    } else {
      throw new TopologyException(
          "a secret must be a reference (env:NAME or file:/path), not a literal value");
    }
    masker.register(value);
    return value;
  }

  /** The path of a {@code file:} reference, for libraries that want to read the file themselves. */
  public Path path(String reference) {
    if (reference == null || !reference.startsWith("file:")) {
      throw new TopologyException("expected a file: reference, got " + describe(reference));
    }
    return Path.of(reference.substring(5));
  }

  private static String describe(String reference) {
    if (reference == null) {
      return "nothing";
    }
    int colon = reference.indexOf(':');
    return colon > 0 ? reference.substring(0, colon + 1) + "..." : "a literal value";
  }
}
