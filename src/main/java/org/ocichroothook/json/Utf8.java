package org.ocichroothook.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.ocichroothook.input.BadInputException;

/**
 * Strict UTF-8: Jackson's byte parser decodes overlong forms ({@code \xc1\xad} as "m") and encoded
 * surrogates without complaint, so the hook and the runtime that wrote a document could read two
 * different strings from it (an id, a platform). The JDK's decoder refuses both; every document is
 * checked with it before it is parsed. A byte order mark is valid UTF-8 and passes.
 */
public final class Utf8 {
  private Utf8() {}

  /** Refuses {@code bytes} unless they are well-formed UTF-8, naming the first bad byte. */
  public static void requireValid(byte[] bytes, String document) throws BadInputException {
    int first = 0;
    while (first < bytes.length && bytes[first] >= 0) {
      first++;
    }
    if (first == bytes.length) {
      return; // ASCII, the usual case: no decoder needed
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, first, bytes.length - first);
    CharBuffer out = CharBuffer.allocate(4096);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isError()) {
        throw new BadInputException(document + ": invalid UTF-8 at byte " + in.position());
      }
      if (result.isUnderflow()) {
        break;
      }
      out.clear();
    }
    out.clear();
    if (decoder.flush(out).isError()) {
      throw new BadInputException(document + ": invalid UTF-8 at byte " + in.position());
    }
  }
}
