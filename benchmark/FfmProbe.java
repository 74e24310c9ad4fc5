import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Prints, in microseconds, what setting up the hook's one FFM downcall costs inside a fresh JVM:
 * the native linker and a handle for syscall(2) with errno capture, as the former FfmSyscalls
 * backend made it (kept to show why the hook uses JNI instead).
 */
public class FfmProbe {
  public static void main(String[] args) {
    long start = System.nanoTime();
    Linker linker = Linker.nativeLinker();
    MethodHandle h =
        linker.downcallHandle(
            linker.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"),
            Linker.Option.firstVariadicArg(1));
    long micros = (System.nanoTime() - start) / 1000;
    System.out.println(h == null ? -1 : micros);
  }
}
