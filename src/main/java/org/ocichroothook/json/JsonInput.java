package org.ocichroothook.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ocichroothook.input.BadInputException;
import org.ocichroothook.text.Printable;

/**
 * Typed reads over Jackson's streaming parser, for the small documents on the hook's hot path (the
 * OCI state, the configuration, the journal). The streaming parser loads a fraction of the classes
 * databind does, which matters for a process started twice per container. Every error names the
 * document and the field.
 *
 * <p>Strict, because a document the hook reads differently from the runtime that wrote it is a
 * security bug: a repeated key (also one spelled with escapes, as {@code "i\u0064"}) is refused
 * rather than letting the last one win, and the bytes must be well-formed UTF-8 ({@link Utf8}).
 */
public final class JsonInput implements AutoCloseable {
  /** The prefix of Jackson's message for a repeated key: {@code Duplicate field 'id'}. */
  private static final String DUPLICATE = "Duplicate field '";

  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final JsonParser parser;
  private final String document;

  private JsonInput(JsonParser parser, String document) {
    this.parser = parser;
    this.document = document;
  }

  /**
   * Starts reading {@code json}, which must hold one JSON object; {@code document} names it in
   * errors.
   */
  public static JsonInput ofObject(byte[] json, String document) throws BadInputException {
    Utf8.requireValid(json, document);
    try {
      JsonInput input = new JsonInput(FACTORY.createParser(json), document);
      if (input.parser.nextToken() != JsonToken.START_OBJECT) {
        throw new BadInputException(document + ": expected a JSON object");
      }
      return input;
    } catch (JsonProcessingException e) {
      throw input(document, e);
    } catch (IOException e) {
      throw new BadInputException(document + ": " + e.getMessage(), e);
    }
  }

  /** The next field name of the current object, or null at its end. */
  public String nextField() throws BadInputException {
    try {
      JsonToken token = parser.nextToken();
      if (token == JsonToken.END_OBJECT) {
        return null;
      }
      String name = parser.currentName();
      parser.nextToken();
      return name;
    } catch (IOException e) {
      throw input(document, e);
    }
  }

  /** After the top-level object: refuses trailing content. */
  public void expectEnd() throws BadInputException {
    try {
      if (parser.nextToken() != null) {
        throw new BadInputException(document + ": unexpected content after the JSON object");
      }
    } catch (IOException e) {
      throw input(document, e);
    }
  }

  public String string(String field) throws BadInputException {
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      throw wrongType(field, "a string");
    }
    return text();
  }

  public String stringOrNull(String field) throws BadInputException {
    return parser.currentToken() == JsonToken.VALUE_NULL ? null : string(field);
  }

  public boolean bool(String field) throws BadInputException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
      return token == JsonToken.VALUE_TRUE;
    }
    throw wrongType(field, "a boolean");
  }

  /** An integer that fits a Java int (a pid); null for JSON null. */
  public Integer integerOrNull(String field) throws BadInputException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      return null;
    }
    if (token != JsonToken.VALUE_NUMBER_INT) {
      throw wrongType(field, "an integer");
    }
    // The token's text, parsed here: Jackson's own number parsing (NumberInput) compiles two
    // regular expressions in its static initializer, which on JDK 17 bootstraps java.lang.invoke
    // (~10 ms of every hook process). The parser has checked the JSON grammar of an integer
    // (-?(0|[1-9][0-9]*)), which Integer.parseInt accepts whenever the value fits.
    try {
      return Integer.parseInt(parser.getText());
    } catch (NumberFormatException e) {
      throw new BadInputException(document + ": field \"" + field + "\": integer out of range");
    } catch (IOException e) {
      throw input(document, e);
    }
  }

  public List<String> stringList(String field) throws BadInputException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw wrongType(field, "an array of strings");
    }
    List<String> values = new ArrayList<>();
    while (next() != JsonToken.END_ARRAY) {
      values.add(string(field + "[" + values.size() + "]"));
    }
    return values;
  }

  /** At the start of an object, or refused as not {@code expected}. */
  public void startObject(String field, String expected) throws BadInputException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw wrongType(field, expected);
    }
  }

  /** At the start of an array, or refused as not {@code expected}. */
  public void startArray(String field, String expected) throws BadInputException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw wrongType(field, expected);
    }
  }

  /** Moves to the array's next element; false at its end. */
  public boolean nextElement() throws BadInputException {
    return next() != JsonToken.END_ARRAY;
  }

  /** Whether the current value is an object (then {@link #nextField} walks it). */
  public boolean atObject() {
    return parser.currentToken() == JsonToken.START_OBJECT;
  }

  /** An object of string values; JSON null reads as an empty map (runtimes send both). */
  public Map<String, String> stringMap(String field) throws BadInputException {
    if (parser.currentToken() == JsonToken.VALUE_NULL) {
      return Map.of();
    }
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw wrongType(field, "an object of strings");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String key = nextField(); key != null; key = nextField()) {
      values.put(key, string(field + "." + key));
    }
    return values;
  }

  /** Skips the current value, whatever it is (an unknown field the caller tolerates). */
  public void skip() throws BadInputException {
    try {
      parser.skipChildren();
    } catch (IOException e) {
      throw input(document, e);
    }
  }

  public BadInputException unknownField(String field) {
    return new BadInputException(document + ": unknown field " + Printable.quote(field));
  }

  @Override
  public void close() {
    try {
      parser.close();
    } catch (IOException e) {
      // Nothing to release beyond the parser's buffers.
    }
  }

  private JsonToken next() throws BadInputException {
    try {
      return parser.nextToken();
    } catch (IOException e) {
      throw input(document, e);
    }
  }

  private String text() throws BadInputException {
    try {
      return parser.getText();
    } catch (IOException e) {
      throw input(document, e);
    }
  }

  private BadInputException wrongType(String field, String expected) {
    JsonToken token = parser.currentToken();
    String got =
        token == null ? "nothing" : token.asString() == null ? token.name() : token.asString();
    return new BadInputException(
        document
            + ": field \""
            + field
            + "\" must be "
            + expected
            + ", got "
            + describe(token, got));
  }

  private static String describe(JsonToken token, String got) {
    if (token == null) {
      return got;
    }
    switch (token) {
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return got;
    }
  }

  /**
   * A parse error as one line naming the document; a repeated key is named as such. Public for the
   * callers that parse with a mapper of their own (inject's config.json).
   */
  public static BadInputException input(String document, IOException e) {
    String message =
        e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    if (message != null && message.startsWith(DUPLICATE) && message.endsWith("'")) {
      String key = message.substring(DUPLICATE.length(), message.length() - 1);
      return new BadInputException(document + ": duplicate key " + Printable.quote(key), e);
    }
    int newline = message == null ? -1 : message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    return new BadInputException(
        document + ": malformed JSON: " + Printable.bounded(String.valueOf(message), 512), e);
  }
}
