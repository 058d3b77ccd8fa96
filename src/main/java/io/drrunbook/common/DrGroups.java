package io.drrunbook.common;

import java.util.List;

/** The product's groups; candidate groups of user tasks use these ids. */
public final class DrGroups {
  public static final String OPERATORS = "dr-operators";
  public static final String APPROVERS = "dr-approvers";
  public static final String ADMINS = "dr-admins";
  /** Technical users of ticketing systems: start the allowed procedures and read their runs. */
  public static final String TICKETING = "dr-ticketing";

  /**
   * Teams of a vendor procedure whose seed splits the work (seed 002: voice / Communication Manager,
   * Oceana / Breeze, database): candidate groups of guided manual steps, beside dr-operators. A team
   * group carries no permission of its own: its members are also in dr-operators (Tasklist, Cockpit).
   */
  public static final String VOICE = "dr-voice";
  public static final String OCEANA = "dr-oceana";
  public static final String DATABASE = "dr-database";
  public static final List<String> TEAMS = List.of(VOICE, OCEANA, DATABASE);

  public static final List<String> ALL = List.of(OPERATORS, APPROVERS, ADMINS, TICKETING, VOICE,
      OCEANA, DATABASE);

  private DrGroups() {}
}
