package org.ocichroothook.plan;

import java.util.Map;
import org.ocichroothook.config.Config;
import org.ocichroothook.text.Printable;

/**
 * Chooses a container's platform from its annotations. The first configured annotation key present
 * decides; its value must name one of the configured platforms, so an annotation can only choose
 * among what the administrator set up and never names a host path.
 */
public final class PlatformSelector {
  private PlatformSelector() {}

  public static String select(Map<String, String> annotations, Config config) throws PlanException {
    for (String key : config.platformAnnotations()) {
      String value = annotations.get(key);
      if (value == null) {
        continue;
      }
      if (!config.platforms().containsKey(value)) {
        throw new PlanException(
            "unknown platform "
                + Printable.quote(value)
                + " in annotation "
                + key
                + "; known platforms: "
                + String.join(", ", config.platforms().keySet()));
      }
      return value;
    }
    return config.defaultPlatform();
  }
}
