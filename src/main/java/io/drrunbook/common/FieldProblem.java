package io.drrunbook.common;

/** One thing wrong with a request, naming its field as a JSON path ({@code parameters.rtoMinutes}). */
public record FieldProblem(String field, String message) {}
