package org.ocichroothook.nri;

import java.io.IOException;

/** The peer sent bytes this plugin cannot read as NRI over ttrpc: the connection is dropped. */
final class ProtocolException extends IOException {
  ProtocolException(String message) {
    super(message);
  }
}
