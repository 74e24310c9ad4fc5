package org.ocichroothook.nri;

import java.util.List;
import java.util.Objects;

/**
 * One OCI hook as NRI carries it: {@code Hook{path = 1, args = 2, env = 3, timeout = 4}}, the
 * timeout wrapped in {@code OptionalInt{value = 1}}.
 *
 * @param timeout seconds, or null when the hook has none
 */
record HookSpec(String path, List<String> args, List<String> env, Integer timeout) {
  HookSpec {
    Objects.requireNonNull(path, "path");
    args = List.copyOf(args);
    env = List.copyOf(env);
  }

  ProtoWriter encode() {
    ProtoWriter w = new ProtoWriter().string(1, path).strings(2, args).strings(3, env);
    if (timeout != null) {
      w.message(4, new ProtoWriter().varint(1, timeout));
    }
    return w;
  }

  static HookSpec decode(ProtoReader r) throws ProtocolException {
    String path = "";
    List<String> args = new java.util.ArrayList<>();
    List<String> env = new java.util.ArrayList<>();
    Integer timeout = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> path = r.string();
        case 2 -> args.add(r.string());
        case 3 -> env.add(r.string());
        case 4 -> {
          ProtoReader optional = r.message();
          long value = 0;
          while (optional.next()) {
            if (optional.field() == 1) {
              value = optional.varint();
            } else {
              optional.skip();
            }
          }
          timeout = (int) value;
        }
        default -> r.skip();
      }
    }
    return new HookSpec(path, args, env, timeout);
  }
}
