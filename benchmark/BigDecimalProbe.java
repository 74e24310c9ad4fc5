import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Prints, in microseconds, what initializing java.math.BigDecimal costs inside a fresh JVM: every
 * Jackson parser extends ParserMinimalBase, whose static initializer makes BigDecimal constants,
 * and from JDK 21 on BigDecimal's own static initializer computes 5^(2^16) by repeated squaring.
 * Class initialization runs in every process; no start-up archive holds its result.
 */
public class BigDecimalProbe {
  public static void main(String[] args) {
    BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
    long start = System.nanoTime();
    BigDecimal d = new BigDecimal(min);
    long micros = (System.nanoTime() - start) / 1000;
    System.out.println(d.signum() < 0 ? micros : -1);
  }
}
