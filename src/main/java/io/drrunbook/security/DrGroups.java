package io.drrunbook.security;

/** The product's groups; candidate groups of user tasks use these ids. */
public final class DrGroups {
  public static final String OPERATORS = "dr-operators";
  public static final String APPROVERS = "dr-approvers";
  public static final String ADMINS = "dr-admins";

  private DrGroups() {}
}
