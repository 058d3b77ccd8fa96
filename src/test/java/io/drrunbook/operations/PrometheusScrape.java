package io.drrunbook.operations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of /actuator/prometheus (text format 0.0.4), parsed into series with their labels. */
record PrometheusScrape(List<Series> series) {

  record Series(String name, Map<String, String> labels, double value) {}

  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\d+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  static PrometheusScrape parse(String text) {
    List<Series> series = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher matcher = LINE.matcher(line.strip());
      if (!matcher.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (matcher.group(3) != null) {
        Matcher label = LABEL.matcher(matcher.group(3));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      series.add(new Series(matcher.group(1), labels, Double.parseDouble(matcher.group(4))));
    }
    return new PrometheusScrape(series);
  }

  /** The series of that name carrying these labels (among others); none: 0, as a counter not yet created. */
  double value(String name, String... labels) {
    List<Series> found = find(name, labels);
    if (found.size() > 1) {
      throw new AssertionError("more than one series " + name + " " + List.of(labels) + ": " + found);
    }
    return found.isEmpty() ? 0 : found.get(0).value();
  }

  List<Series> find(String name, String... labels) {
    return series.stream().filter(s -> s.name().equals(name)).filter(s -> {
      for (int i = 0; i < labels.length; i += 2) {
        if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
          return false;
        }
      }
      return true;
    }).toList();
  }

  boolean has(String name) {
    return series.stream().anyMatch(s -> s.name().equals(name));
  }
}
