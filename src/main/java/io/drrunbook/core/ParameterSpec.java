package io.drrunbook.core;

import java.util.ArrayList;
import java.util.List;

/** One run parameter of a procedure, as declared in {@code config/procedures.yaml}. */
public class ParameterSpec {

  private String name;
  private ParameterType type;
  private boolean required;
  private List<String> allowedValues = new ArrayList<>();
  private Long minimum;
  private Long maximum;
  private Integer maxLength;
  private String addressRange;
  private String pattern;
  private RequiredWhen requiredWhen;
  private String defaultValue;
  private String description;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public ParameterType getType() {
    return type;
  }

  public void setType(ParameterType type) {
    this.type = type;
  }

  public boolean isRequired() {
    return required;
  }

  public void setRequired(boolean required) {
    this.required = required;
  }

  public List<String> getAllowedValues() {
    return allowedValues;
  }

  public void setAllowedValues(List<String> allowedValues) {
    this.allowedValues = allowedValues == null ? new ArrayList<>() : allowedValues;
  }

  public Long getMinimum() {
    return minimum;
  }

  public void setMinimum(Long minimum) {
    this.minimum = minimum;
  }

  public Long getMaximum() {
    return maximum;
  }

  public void setMaximum(Long maximum) {
    this.maximum = maximum;
  }

  public Integer getMaxLength() {
    return maxLength;
  }

  public void setMaxLength(Integer maxLength) {
    this.maxLength = maxLength;
  }

  /**
   * ipv4 only: the inclusive range of accepted addresses, {@code <first>-<last>} (the YAML key
   * {@code address-range}, e.g. {@code 224.0.1.0-239.255.255.255}).
   */
  public String getAddressRange() {
    return addressRange;
  }

  public void setAddressRange(String addressRange) {
    this.addressRange = addressRange;
  }

  /**
   * string only: a regular expression the whole value must match (the YAML key {@code pattern},
   * e.g. {@code [A-Za-z0-9._-]{1,64}} for a name that goes into a file path).
   */
  public String getPattern() {
    return pattern;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** The {@code default} key of the YAML entry (a Java keyword, hence the property name). */
  public String getDefault() {
    return defaultValue;
  }

  public void setDefault(String defaultValue) {
    this.defaultValue = defaultValue;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  /**
   * Required only for some values of another parameter (the YAML key {@code required-when}, e.g.
   * D4's {@code permSizeMb} when {@code symptom} is {@code master-catchup-required}); null: as
   * {@code required} says.
   */
  public RequiredWhen getRequiredWhen() {
    return requiredWhen;
  }

  public void setRequiredWhen(RequiredWhen requiredWhen) {
    this.requiredWhen = requiredWhen;
  }

  /** The other parameter and its values that make this one required. */
  public static class RequiredWhen {

    private String parameter;
    private List<String> values = new ArrayList<>();

    public String getParameter() {
      return parameter;
    }

    public void setParameter(String parameter) {
      this.parameter = parameter;
    }

    public List<String> getValues() {
      return values;
    }

    public void setValues(List<String> values) {
      this.values = values;
    }
  }
}
