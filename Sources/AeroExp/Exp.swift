/// Expressions (expressions.md): compiled once per request, evaluated per record.
public enum Exp {}
