package io.drrunbook.lab.faults;

import java.util.List;

/** A fault request the lab refuses, naming each field at fault (none echoes the caller's value). */
public class FaultRequestException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** One thing wrong with a request: the field (type, target, exitCode, ...) and what is wrong. */
  public record Problem(String field, String message) {}

  private final transient List<Problem> problems;

  public FaultRequestException(List<Problem> problems) {
    super("invalid fault request: " + problems);
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
