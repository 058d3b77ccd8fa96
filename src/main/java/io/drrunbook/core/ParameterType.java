package io.drrunbook.core;

import java.util.Locale;

/** The types a run parameter may have; each maps one JSON type to one process variable type. */
public enum ParameterType {
  /** JSON string -> String. */
  STRING,
  /** JSON true/false -> Boolean. */
  BOOLEAN,
  /** JSON integer (no fraction, no quotes) -> Integer, or Long beyond the int range. */
  INTEGER,
  /** JSON string, one of the declared allowed values -> String. */
  ENUM,
  /** JSON string, ISO-8601 date and time with offset -> java.util.Date. */
  DATETIME,
  /**
   * JSON string, an IPv4 address in dotted-quad form (four decimal numbers 0-255, no leading zeros),
   * within the parameter's {@code address-range} if it has one -> String.
   */
  IPV4,
  /**
   * JSON string, a positive ISO-8601 duration of days, hours, minutes and seconds ({@code PT30S},
   * {@code PT5M}, {@code P1DT2H}), as a BPMN timer reads it -> String.
   */
  DURATION;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
