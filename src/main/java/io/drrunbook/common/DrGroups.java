package io.drrunbook.common;

import java.util.List;

/** The product's groups; candidate groups of user tasks use these ids. */
public final class DrGroups {
  public static final String OPERATORS = "dr-operators";
  public static final String APPROVERS = "dr-approvers";
  public static final String ADMINS = "dr-admins";
  /** Technical users of ticketing systems: start the allowed procedures and read their runs. */
  public static final String TICKETING = "dr-ticketing";

  public static final List<String> ALL = List.of(OPERATORS, APPROVERS, ADMINS, TICKETING);

  private DrGroups() {}
}
