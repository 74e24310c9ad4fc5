package org.ocichroothook.nri;

import java.util.List;
import java.util.Map;

/** What the plugin answers one CreateContainer with: inert data, made by {@link Policy}. */
sealed interface Decision {
  /** One line for the log, after the container's id. */
  String describe();

  /** No platform annotation: the container is left as it is. */
  record Unchanged() implements Decision {
    @Override
    public String describe() {
      return "no platform annotation: unchanged";
    }
  }

  /** The platform is not configured: CreateContainer fails with prestart's own reason. */
  record Refused(String reason) implements Decision {
    @Override
    public String describe() {
      return "refused: " + reason;
    }
  }

  /**
   * The hook added (for each stage that does not have it yet) and the platform written into the
   * container's own annotations.
   *
   * @param source where the annotation was found: "container" or "pod"
   */
  record Adjusted(
      String platform,
      String key,
      String source,
      Map<String, String> annotations,
      List<HookSpec> prestart,
      List<HookSpec> poststop)
      implements Decision {
    public Adjusted {
      annotations = Map.copyOf(annotations);
      prestart = List.copyOf(prestart);
      poststop = List.copyOf(poststop);
    }

    @Override
    public String describe() {
      String hooks;
      if (!prestart.isEmpty() && !poststop.isEmpty()) {
        hooks = "added the prestart and poststop hooks";
      } else if (prestart.isEmpty() && poststop.isEmpty()) {
        hooks = "it already has the hook";
      } else {
        hooks = "added the " + (prestart.isEmpty() ? "poststop" : "prestart") + " hook";
      }
      return "platform " + platform + " from the " + source + " annotation " + key + ": " + hooks;
    }
  }
}
