package io.drrunbook.core;

import java.util.LinkedHashMap;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code dr.procedures.<process id>}: the raw catalog as bound from configuration. */
@ConfigurationProperties("dr.procedures")
public class ProcedureProperties extends LinkedHashMap<String, ProcedureSpec> {
  private static final long serialVersionUID = 1L;
}
