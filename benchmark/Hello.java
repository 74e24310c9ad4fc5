/**
 * The benchmark's baseline: the cheapest Java program, started like the hook (same JVM, same
 * flags).
 */
public class Hello {
  public static void main(String[] args) {
    System.out.println("hello");
  }
}
