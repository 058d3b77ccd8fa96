package io.drrunbook.common;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Knows every secret value the application has read and replaces it with {@code ****} in text that
 * is about to be stored or shown (step output, error messages, run reports). Multi-line secrets such
 * as private keys are masked line by line as well.
 */
@Component
public class SecretMasker {

  public static final String MASK = "****";
  private static final int MIN_LENGTH = 4;

  private final Set<String> secrets = ConcurrentHashMap.newKeySet();

  public void register(String secret) {
    if (secret == null) {
      return;
    }
    if (secret.length() >= MIN_LENGTH) {
      secrets.add(secret);
    }
    if (secret.contains("\n")) {
      for (String line : secret.split("\\R")) {
        if (line.strip().length() >= 16) {
          secrets.add(line.strip());
        }
      }
    }
  }

  public String mask(String text) {
    if (text == null || text.isEmpty() || secrets.isEmpty()) {
      return text;
    }
    String masked = text;
    for (String secret : secrets) {
      if (masked.contains(secret)) {
        masked = masked.replace(secret, MASK);
      }
    }
    return masked;
  }
}
