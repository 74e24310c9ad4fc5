package org.ocichroothook.nri;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ocichroothook.config.Config;
import org.ocichroothook.plan.PlanException;
import org.ocichroothook.plan.PlatformSelector;
import org.ocichroothook.text.Printable;

/**
 * Decides what a new container gets, from its annotations and its pod's, the way prestart would
 * choose its platform: the first of the configured {@code platformAnnotations} present decides, the
 * container's own value before the pod's. Pure: no I/O, no clock.
 *
 * <p>The chosen platform is written into the container's annotations as {@link
 * Config#PROJECT_ANNOTATION}: NRI shows the plugin the pod's CRI annotations even when containerd's
 * {@code pod_annotations} keeps them out of the container's spec, and the hook, which reads only
 * the spec, would otherwise build the default platform's chroot.
 */
final class Policy {
  /** argv[0] of the hook's entries, as {@code inject} and the hooks.d file write them. */
  static final String MARKER = "oci-chroot-hook";

  private final Config config;
  private final HookSpec hook;

  Policy(Config config, HookSpec hook) {
    this.config = config;
    this.hook = hook;
  }

  HookSpec hook() {
    return hook;
  }

  Decision decide(
      Map<String, String> podAnnotations,
      Map<String, String> containerAnnotations,
      List<HookSpec> prestart,
      List<HookSpec> poststop) {
    String key = null;
    String source = null;
    String value = null;
    for (String candidate : config.platformAnnotations()) {
      if (containerAnnotations.containsKey(candidate)) {
        key = candidate;
        source = "container";
        value = containerAnnotations.get(candidate);
        break;
      }
      if (podAnnotations.containsKey(candidate)) {
        key = candidate;
        source = "pod";
        value = podAnnotations.get(candidate);
        break;
      }
    }
    if (key == null) {
      return new Decision.Unchanged();
    }
    String platform;
    try {
      platform = PlatformSelector.select(Map.of(key, value), config);
    } catch (PlanException e) {
      return new Decision.Refused(Printable.line(e.getMessage()));
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    if (!platform.equals(containerAnnotations.get(Config.PROJECT_ANNOTATION))) {
      annotations.put(Config.PROJECT_ANNOTATION, platform);
    }
    return new Decision.Adjusted(
        platform,
        key,
        source,
        annotations,
        hasOurs(prestart) ? List.of() : List.of(hook),
        hasOurs(poststop) ? List.of() : List.of(hook));
  }

  private boolean hasOurs(List<HookSpec> hooks) {
    for (HookSpec h : hooks) {
      if ((!h.args().isEmpty() && MARKER.equals(h.args().get(0))) || h.path().equals(hook.path())) {
        return true;
      }
    }
    return false;
  }
}
